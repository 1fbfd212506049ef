using System.Net;
using System.Text.Json;
using Portier.Server.Tests.Infrastructure;
using static Portier.Server.Tests.Events.EventSetup;

namespace Portier.Server.Tests.Events;

/// <summary>
/// A webhook provider that goes down for a day or more, on the fake clock. The background runner is
/// off: each step runs one runner pass to completion, so the order of the provider's calls is the
/// runner's order and nothing races the clock. The provider is a real HTTP receiver on loopback that,
/// while down, cuts every call off before answering.
/// </summary>
public abstract class ProviderOutageTests(DatabaseKind kind) : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["EventAccess:RunnerEnabled"] = "false",
        ["EventAccess:Parallelism"] = "1",
    };

    private PortierServer _server = null!;
    private WebhookReceiver _provider = null!;

    public async ValueTask InitializeAsync()
    {
        _server = new PortierServer(await TestDatabase.CreateAsync(kind), PortierServer.WithSettings(Settings));
        _provider = new WebhookReceiver
        {
            Answer = call => call.Body.Contains("zones.list", StringComparison.Ordinal)
                ? new ReceiverAnswer(200, """{"zones":[{"id":"front","name":"Front door"}]}""")
                : new ReceiverAnswer(200),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ProviderDownADay_RevocationPendingUntilConfirmed_AndRetriedAheadOfGrantsOnRecovery()
    {
        var (e, provider, zone) = await SetUpAsync();
        var start = e.Now;
        var ada = await e.PersonAsync("Ada");
        var bob = await e.PersonAsync("Bob");
        var first = await e.SessionAsync(start.AddHours(1), TimeSpan.FromHours(2));
        var second = await e.SessionAsync(start.AddHours(20), TimeSpan.FromHours(10));
        await e.AttendAsync(ada, first);
        await e.AttendAsync(bob, second);
        await e.PolicyAsync(zone, 0, 0);

        e.AdvanceTo(start.AddHours(1));
        await e.RunAsync();
        Assert.Equal("granted", await StateAsync(e, ada));

        // Down from +2 h to +26 h: Ada's revoke (due at +3 h) and Bob's grant (due at +20 h) keep retrying.
        e.AdvanceTo(start.AddHours(2));
        _provider.Down = true;
        for (var at = start.AddHours(2); at < start.AddHours(26); at = at.AddMinutes(30))
        {
            e.AdvanceTo(at);
            await e.RunAsync();
            Assert.Equal(at < start.AddHours(3) ? "granted" : "revocation_pending", await StateAsync(e, ada));
        }
        var revoke = Of(await e.TasksAsync(first), "revoke");
        Assert.Equal(("scheduled", "provider_unreachable"), (Status(revoke), revoke.GetProperty("failureReason").GetString()));
        Assert.True(revoke.GetProperty("retries").GetInt32() > 5, "the revoke kept retrying through the outage");
        var grant = Of(await e.TasksAsync(second), "grant");
        Assert.Equal(("scheduled", "provider_unreachable"), (Status(grant), grant.GetProperty("failureReason").GetString()));
        Assert.Empty((await e.Admin.GetJsonAsync($"/api/v1/event-series/{e.SeriesId}/access?personId={bob}")).EnumerateArray());

        // Back at +26 h. Minute by minute: whichever backoff ends first, the call that finds the provider back
        // is the revoke (a grant waits while a revoke of its unhealthy provider waits), and the grant follows.
        _provider.Down = false;
        _provider.Calls.Clear();
        var revokeDue = Of(await e.TasksAsync(first), "revoke").GetProperty("nextAttemptAt").GetDateTimeOffset();
        Assert.True(Of(await e.TasksAsync(second), "grant").GetProperty("nextAttemptAt").GetDateTimeOffset() < revokeDue,
            "the grant's own backoff ends first, so only holding it back keeps the revoke ahead");
        for (var at = start.AddHours(26); _provider.Calls.Count < 2 && at <= start.AddHours(27); at = at.AddMinutes(1))
        {
            e.AdvanceTo(at);
            await e.RunAsync();
        }
        Assert.Equal(["access.revoke", "access.grant"], _provider.Calls.Select(c => JsonDocument.Parse(c.Body).RootElement.GetProperty("type").GetString()));
        Assert.Equal("revoked", await StateAsync(e, ada));
        Assert.Equal("granted", await StateAsync(e, bob));
        Assert.Equal("healthy", (await e.Admin.GetJsonAsync($"/api/v1/providers/{provider}")).GetProperty("health").GetString());
        Assert.DoesNotContain((await e.Admin.GetJsonAsync($"/api/v1/alarms?siteId={e.SiteId}")).GetProperty("items").EnumerateArray(),
            a => a.GetProperty("kind").GetString() == "revocation_failed");
    }

    [Fact]
    public async Task ProviderDownPastTheRevokeRetryPeriod_RevocationFailsWithAnAlarm_RetryAfterTheFixRevokesAndClearsIt()
    {
        var (e, _, zone) = await SetUpAsync();
        var start = e.Now;
        var ada = await e.PersonAsync("Ada");
        var session = await e.SessionAsync(start.AddHours(1), TimeSpan.FromHours(1));
        await e.AttendAsync(ada, session);
        await e.PolicyAsync(zone, 0, 0);
        e.AdvanceTo(start.AddHours(1));
        await e.RunAsync();

        // The revoke is due at +2 h and retried for three days (EventAccess:RevokeRetryPeriod) at most an hour apart.
        _provider.Down = true;
        var revokeAt = start.AddHours(2);
        for (var at = revokeAt; at <= revokeAt.AddDays(3).AddHours(1); at = at.AddHours(1))
        {
            e.AdvanceTo(at);
            await e.RunAsync();
            var state = await StateAsync(e, ada);
            Assert.NotEqual("revoked", state);
            if (at < revokeAt.AddDays(3).AddMinutes(-60)) Assert.Equal("revocation_pending", state);
        }
        Assert.Equal("revocation_failed", await StateAsync(e, ada));
        var revoke = Of(await e.TasksAsync(session), "revoke");
        Assert.Equal(("failed", "provider_unreachable"), (Status(revoke), revoke.GetProperty("failureReason").GetString()));
        var alarm = Assert.Single((await e.Admin.GetJsonAsync($"/api/v1/alarms?siteId={e.SiteId}")).GetProperty("items").EnumerateArray());
        Assert.Equal(("revocation_failed", revoke.Id(), true), (alarm.GetProperty("kind").GetString(), alarm.GetProperty("subjectId").GetGuid(), alarm.GetProperty("standing").GetBoolean()));
        Assert.Contains("Front door", alarm.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Fixed: Retry runs the revoke, the provider confirms, the alarm clears.
        _provider.Down = false;
        await (await e.Admin.PostJsonAsync($"/api/v1/event-tasks/{revoke.Id()}/retry", new { })).ExpectAsync(HttpStatusCode.OK);
        await e.RunAsync();
        Assert.Equal("revoked", await StateAsync(e, ada));
        Assert.False((await e.Admin.GetJsonAsync($"/api/v1/alarms?siteId={e.SiteId}")).GetProperty("items")[0].GetProperty("standing").GetBoolean());
    }

    /// <summary>The shared site and series, with a webhook provider whose zone "front" the policies use.</summary>
    private async Task<(EventSetup Setup, Guid Provider, Guid Zone)> SetUpAsync()
    {
        var e = await CreateAsync(_server);
        var provider = (await (await e.Admin.PostJsonAsync("/api/v1/providers", new { siteId = e.SiteId, name = "Acme", kind = "webhook", url = _provider.Url }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var synced = await (await e.Admin.PostJsonAsync($"/api/v1/providers/{provider}/zones/sync", new { })).ExpectAsync(HttpStatusCode.OK);
        var zone = synced.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("externalId").GetString() == "front").Id();
        return (e, provider, zone);
    }

    /// <summary>The person's access state in the series' newest window.</summary>
    private static async Task<string> StateAsync(EventSetup e, Guid person) =>
        (await e.Admin.GetJsonAsync($"/api/v1/event-series/{e.SeriesId}/access?personId={person}"))[0].GetProperty("state").GetString()!;
}

public sealed class ProviderOutageSqliteTests() : ProviderOutageTests(DatabaseKind.Sqlite);

public sealed class ProviderOutagePostgresTests() : ProviderOutageTests(DatabaseKind.Postgres);
