using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Webhooks;

/// <summary>Webhooks to a real receiver on loopback, which the test host allows (Outbound:AllowedNetworks).</summary>
public abstract class WebhookDeliveryTests(DatabaseKind kind) : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Webhooks:Timeout"] = "00:00:00.500",
    };

    private TestDatabase _database = null!;
    private PortierServer _server = null!;
    private WebhookReceiver _receiver = null!;
    private HttpClient _admin = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(kind);
        _server = new PortierServer(_database, PortierServer.WithSettings(Settings), ownsDatabase: false);
        _admin = _server.Admin();
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _server.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<(Guid Site, Guid Door, Guid Endpoint, string Secret)> SubscribeAsync(params string[] eventTypes)
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var created = await (await _admin.PostJsonAsync("/api/v1/webhooks", new { url = _receiver.Url, eventTypes = eventTypes.Length == 0 ? ["access.*"] : eventTypes, siteId = site }))
            .ExpectAsync(HttpStatusCode.Created);
        return (site, door, created.GetProperty("endpoint").Id(), created.GetProperty("secret").GetString()!);
    }

    private Task<int> DispatchAsync() => _server.Services.GetRequiredService<WebhookDispatcher>().DispatchDueAsync(Ct);

    private async Task<JsonElement[]> DeliveriesAsync(Guid endpoint) =>
        [.. (await _admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}/deliveries")).GetProperty("items").EnumerateArray()];

    [Fact]
    public async Task Delivery_SignedPerStandardWebhooks_VerifiesAndTamperingFails()
    {
        var (site, door, endpoint, secret) = await SubscribeAsync();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

        var e = await _server.AppendAsync(site, door, allowed: false);
        await DispatchAsync();

        var hook = Assert.Single(_receiver.Received);
        Assert.True(StandardWebhooksVerifier.Verify(secret, hook, _server.Clock.GetUtcNow()));
        Assert.False(StandardWebhooksVerifier.Verify(secret, hook with { Body = hook.Body.Replace("false", "true", StringComparison.Ordinal) }, _server.Clock.GetUtcNow()));
        Assert.False(StandardWebhooksVerifier.Verify(secret, hook with { Timestamp = hook.Timestamp + 1 }, _server.Clock.GetUtcNow()));
        Assert.False(StandardWebhooksVerifier.Verify(StandardWebhooks.NewSecret(), hook, _server.Clock.GetUtcNow()));
        Assert.False(StandardWebhooksVerifier.Verify(secret, hook, _server.Clock.GetUtcNow().AddMinutes(10)));
        var body = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal("access.denied", body.GetProperty("type").GetString());
        Assert.Equal(e.Id, body.GetProperty("data").GetProperty("id").GetGuid());
        Assert.StartsWith("msg_", hook.Id, StringComparison.Ordinal);

        var delivery = Assert.Single(await DeliveriesAsync(endpoint));
        Assert.Equal("succeeded", delivery.GetProperty("status").GetString());
        Assert.Equal(204, delivery.GetProperty("lastStatusCode").GetInt32());
        var attempts = await _admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}/deliveries/{delivery.GetProperty("id").GetInt64()}/attempts");
        Assert.True(attempts[0].GetProperty("durationMs").GetInt32() >= 0);
        var read = await _admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}");
        Assert.False(read.TryGetProperty("secret", out _));
    }

    [Fact]
    public void Signer_MatchesStandardWebhooksTestVector() =>
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            StandardWebhooks.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""));

    [Fact]
    public async Task ReceiverDownThenUp_EachDeliveryArrivesOnceInOrder()
    {
        var (site, door, endpoint, secret) = await SubscribeAsync();
        await _receiver.DownAsync();
        var events = new List<Guid>();
        for (var i = 0; i < 5; i++) events.Add((await _server.AppendAsync(site, door, allowed: i % 2 == 0)).Id);
        await DispatchAsync();
        _server.Clock.Advance(TimeSpan.FromSeconds(6));
        await DispatchAsync();
        Assert.Empty(_receiver.Received);

        await _receiver.UpAsync();
        _server.Clock.Advance(TimeSpan.FromMinutes(6));
        await DispatchAsync();
        await DispatchAsync();

        var received = _receiver.Received.ToList();
        Assert.Equal(events, received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("id").GetGuid()));
        Assert.Equal(5, received.Select(r => r.Id).Distinct().Count());
        Assert.All(received, r => Assert.True(StandardWebhooksVerifier.Verify(secret, r, _server.Clock.GetUtcNow())));
        var first = (await DeliveriesAsync(endpoint)).Last();
        Assert.Equal(3, first.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Receiver500_RetriesWithBackoff_ThenSucceeds()
    {
        var (site, door, endpoint, _) = await SubscribeAsync();
        _receiver.Script.Enqueue(_ => Task.FromResult(Results.StatusCode(500)));
        _receiver.Script.Enqueue(_ => Task.FromResult(Results.StatusCode(500)));
        await _server.AppendAsync(site, door);
        await DispatchAsync();

        var pending = Assert.Single(await DeliveriesAsync(endpoint));
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal(500, pending.GetProperty("lastStatusCode").GetInt32());
        var wait = pending.GetProperty("nextAttemptAt").GetDateTimeOffset() - _server.Clock.GetUtcNow();
        Assert.InRange(wait.TotalSeconds, 4.5, 5.5);
        _server.Clock.Advance(TimeSpan.FromSeconds(4));
        await DispatchAsync();
        Assert.Empty(_receiver.Received);
        _server.Clock.Advance(TimeSpan.FromSeconds(2));
        await DispatchAsync();
        var second = Assert.Single(await DeliveriesAsync(endpoint));
        Assert.InRange((second.GetProperty("nextAttemptAt").GetDateTimeOffset() - _server.Clock.GetUtcNow()).TotalMinutes, 4.5, 5.5);
        _server.Clock.Advance(TimeSpan.FromMinutes(6));
        await DispatchAsync();

        Assert.Single(_receiver.Received);
        var done = Assert.Single(await DeliveriesAsync(endpoint));
        var attempts = await _admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}/deliveries/{done.GetProperty("id").GetInt64()}/attempts");
        Assert.Equal([500, 500, 204], attempts.EnumerateArray().Select(a => a.GetProperty("statusCode").GetInt32()));
    }

    [Fact]
    public async Task Receiver429WithRetryAfter_WaitsAsLongAsAsked()
    {
        var (site, door, endpoint, _) = await SubscribeAsync();
        _receiver.Script.Enqueue(http =>
        {
            http.Response.Headers.RetryAfter = "120";
            return Task.FromResult(Results.StatusCode(429));
        });
        await _server.AppendAsync(site, door);
        await DispatchAsync();

        var delivery = Assert.Single(await DeliveriesAsync(endpoint));
        Assert.Equal(429, delivery.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(_server.Clock.GetUtcNow().AddSeconds(120), delivery.GetProperty("nextAttemptAt").GetDateTimeOffset());
        _server.Clock.Advance(TimeSpan.FromSeconds(100));
        await DispatchAsync();
        Assert.Empty(_receiver.Received);
        _server.Clock.Advance(TimeSpan.FromSeconds(21));
        await DispatchAsync();
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task SlowReceiver_BeyondTimeout_RecordedAsTimeoutThenRetried()
    {
        var (site, door, endpoint, _) = await SubscribeAsync();
        _receiver.Script.Enqueue(async http =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.NoContent();
        });
        await _server.AppendAsync(site, door);
        await DispatchAsync();

        var delivery = Assert.Single(await DeliveriesAsync(endpoint));
        Assert.Equal("timeout", delivery.GetProperty("lastError").GetString());
        Assert.Equal("pending", delivery.GetProperty("status").GetString());
        _server.Clock.Advance(TimeSpan.FromSeconds(6));
        await DispatchAsync();
        Assert.Single(_receiver.Received);
        Assert.Equal("succeeded", Assert.Single(await DeliveriesAsync(endpoint)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Gone410_DisablesEndpoint_ThenEnableAndReplayDeliver()
    {
        var (site, door, endpoint, _) = await SubscribeAsync();
        _receiver.Script.Enqueue(_ => Task.FromResult(Results.StatusCode(410)));
        await _server.AppendAsync(site, door);
        await DispatchAsync();

        var disabled = await _admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}");
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        Assert.Equal("gone", disabled.GetProperty("disabledReason").GetString());
        var failed = Assert.Single(await DeliveriesAsync(endpoint));
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        await _server.AppendAsync(site, door);
        Assert.Single(await DeliveriesAsync(endpoint));

        await (await _admin.PostJsonAsync($"/api/v1/webhooks/{endpoint}/enable", new { })).ExpectAsync(HttpStatusCode.OK);
        var replay = await (await _admin.PostJsonAsync($"/api/v1/webhooks/{endpoint}/deliveries/{failed.GetProperty("id").GetInt64()}/replay", new { }))
            .ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal(failed.GetProperty("id").GetInt64(), replay.GetProperty("replayOf").GetInt64());
        await DispatchAsync();

        var hook = Assert.Single(_receiver.Received);
        Assert.Equal(failed.GetProperty("messageId").GetString(), hook.Id);
        var audit = await _admin.GetJsonAsync($"/api/v1/audit?entityId={endpoint}");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), a => a.GetProperty("actor").GetString() == "system");
    }

    [Fact]
    public async Task DisabledByAdmin_ReceivesNothingUntilEnabled()
    {
        var (site, door, endpoint, _) = await SubscribeAsync();
        var disabled = await (await _admin.PostJsonAsync($"/api/v1/webhooks/{endpoint}/disable", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        Assert.Equal("manual", disabled.GetProperty("disabledReason").GetString());
        await (await _admin.PostJsonAsync($"/api/v1/webhooks/{endpoint}/disable", new { })).ExpectProblemAsync(HttpStatusCode.Conflict, "webhook_disabled");
        await _server.AppendAsync(site, door);
        await DispatchAsync();
        Assert.Empty(await DeliveriesAsync(endpoint));
        Assert.Empty(_receiver.Received);

        await (await _admin.PostJsonAsync($"/api/v1/webhooks/{endpoint}/enable", new { })).ExpectAsync(HttpStatusCode.OK);
        await _server.AppendAsync(site, door);
        await DispatchAsync();
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task LongFailureRun_RetriesOverADayThenFailsTheDelivery_EndpointStaysEnabled()
    {
        var (site, door, endpoint, _) = await SubscribeAsync();
        for (var i = 0; i < 20; i++) _receiver.Script.Enqueue(_ => Task.FromResult(Results.StatusCode(503)));
        await _server.AppendAsync(site, door);
        var start = _server.Clock.GetUtcNow();
        for (var i = 0; i < 12; i++)
        {
            await DispatchAsync();
            _server.Clock.Advance(TimeSpan.FromHours(11));
        }

        var delivery = Assert.Single(await DeliveriesAsync(endpoint));
        Assert.Equal("failed", delivery.GetProperty("status").GetString());
        Assert.Equal(8, delivery.GetProperty("attempts").GetInt32());
        Assert.True(delivery.GetProperty("lastAttemptAt").GetDateTimeOffset() - start >= TimeSpan.FromHours(24));
        // One delivery out of retries fails alone (it can be replayed); only days of failures disable the endpoint.
        var read = await _admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}");
        Assert.True(read.GetProperty("enabled").GetBoolean());
        Assert.Equal(8, read.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal(start, read.GetProperty("failingSince").GetDateTimeOffset());
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task ZoneReachesCapacity_SendsCapacityReachedOnce()
    {
        var (site, _, _, _) = await SubscribeAsync("zone.*");
        var zone = await _admin.CreateZoneAsync(site, "Booth", capacity: 2);
        var occupancy = _server.Services.GetRequiredService<Portier.Server.Features.Occupancy.OccupancyService>();
        for (var i = 0; i < 3; i++) await occupancy.TryEnterAsync(zone, Ct);
        await DispatchAsync();

        var body = JsonDocument.Parse(Assert.Single(_receiver.Received).Body).RootElement;
        Assert.Equal("zone.capacity_reached", body.GetProperty("type").GetString());
        Assert.Equal(zone, body.GetProperty("data").GetProperty("zoneId").GetGuid());
        Assert.Equal(2, body.GetProperty("data").GetProperty("currentCount").GetInt32());
    }

    [Fact]
    public async Task SendTestEvent_ArrivesAsWebhookTest()
    {
        var (_, _, endpoint, secret) = await SubscribeAsync("access.granted");
        await (await _admin.PostJsonAsync($"/api/v1/webhooks/{endpoint}/test", new { })).ExpectAsync(HttpStatusCode.Accepted);
        await DispatchAsync();

        var hook = Assert.Single(_receiver.Received);
        Assert.Equal("webhook.test", JsonDocument.Parse(hook.Body).RootElement.GetProperty("type").GetString());
        Assert.True(StandardWebhooksVerifier.Verify(secret, hook, _server.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task ServerRestart_WithPendingDeliveries_NoneLostNoneSentTwice()
    {
        var (site, door, _, secret) = await SubscribeAsync();
        var events = new List<Guid> { (await _server.AppendAsync(site, door)).Id };
        await DispatchAsync();
        Assert.Single(_receiver.Received);
        await _receiver.DownAsync();
        for (var i = 0; i < 3; i++) events.Add((await _server.AppendAsync(site, door)).Id);
        await DispatchAsync();

        await _server.DisposeAsync();
        _server = new PortierServer(_database, PortierServer.WithSettings(Settings), ownsDatabase: false);
        _ = _server.Server;
        await _receiver.UpAsync();
        _server.Clock.Advance(TimeSpan.FromMinutes(1));
        await DispatchAsync();
        await DispatchAsync();

        var received = _receiver.Received.ToList();
        Assert.Equal(events, received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("id").GetGuid()));
        Assert.All(received, r => Assert.True(StandardWebhooksVerifier.Verify(secret, r, _server.Clock.GetUtcNow())));
    }

    [Fact]
    public async Task Subscription_OnlyMatchingTypesAndSite_AreQueued()
    {
        var (site, door, endpoint, _) = await SubscribeAsync("access.granted");
        var other = await _admin.CreateSiteAsync();
        await _server.AppendAsync(site, door, allowed: false);
        await _server.AppendAsync(other, await _admin.CreateDoorAsync(other));
        await _server.AppendAsync(site, door);
        await DispatchAsync();

        Assert.Single(await DeliveriesAsync(endpoint));
        Assert.Equal("access.granted", JsonDocument.Parse(Assert.Single(_receiver.Received).Body).RootElement.GetProperty("type").GetString());
        await (await _admin.PostJsonAsync("/api/v1/webhooks", new { url = _receiver.Url, eventTypes = new[] { "door.opened" } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }
}

public sealed class WebhookDeliverySqliteTests() : WebhookDeliveryTests(DatabaseKind.Sqlite);

public sealed class WebhookDeliveryPostgresTests() : WebhookDeliveryTests(DatabaseKind.Postgres);
