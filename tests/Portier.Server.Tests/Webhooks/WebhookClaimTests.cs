using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;
using SlowReceiver = Portier.Server.Tests.Infrastructure.WebhookReceiver;

namespace Portier.Server.Tests.Webhooks;

/// <summary>Two server instances on one database, each with its own dispatcher, sending to receivers that answer after 1.5 s.</summary>
public abstract class WebhookClaimTests(DatabaseKind kind) : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Webhooks:AllowLoopback"] = "true" };
    private static readonly TimeSpan ReceiverDelay = TimeSpan.FromSeconds(1.5);

    private TestDatabase _database = null!;
    private PortierServer _first = null!;
    private PortierServer _second = null!;
    private readonly List<SlowReceiver> _receivers = [];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(kind);
        _first = new PortierServer(_database, PortierServer.WithSettings(Settings), ownsDatabase: false);
        _ = _first.Server;
        _second = new PortierServer(_database, PortierServer.WithSettings(Settings), ownsDatabase: false);
        _ = _second.Server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var receiver in _receivers) await receiver.DisposeAsync();
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<(Guid Endpoint, SlowReceiver Receiver)> SubscribeAsync(Guid site)
    {
        var receiver = new SlowReceiver { Delay = ReceiverDelay };
        _receivers.Add(receiver);
        var created = await (await _first.Admin().PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url, eventTypes = new[] { "access.*" }, siteId = site }))
            .ExpectAsync(HttpStatusCode.Created);
        return (created.GetProperty("endpoint").Id(), receiver);
    }

    private static Task<int> DispatchAsync(PortierServer server) => server.Services.GetRequiredService<WebhookDispatcher>().DispatchDueAsync(Ct);

    private async Task<JsonElement[]> DeliveriesAsync(Guid endpoint) =>
        [.. (await _first.Admin().GetJsonAsync($"/api/v1/webhooks/{endpoint}/deliveries")).GetProperty("items").EnumerateArray()];

    [Fact]
    public async Task TwoDispatchers_SlowReceivers_SendEachDeliveryExactlyOnceInOrder()
    {
        var admin = _first.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await admin.CreateDoorAsync(site);
        var subscribers = new[] { await SubscribeAsync(site), await SubscribeAsync(site) };
        var events = new List<Guid>();
        for (var i = 0; i < 3; i++) events.Add((await _first.AppendAsync(site, door)).Id);

        // Both instances run passes at the same moment, again and again, until everything is sent.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var sent = await Task.WhenAll(DispatchAsync(_first), DispatchAsync(_second), DispatchAsync(_second), DispatchAsync(_first));
            if (sent.Sum() == 0 && (await Task.WhenAll(subscribers.Select(s => DeliveriesAsync(s.Endpoint))))
                    .All(d => d.All(x => x.GetProperty("status").GetString() == "succeeded")))
                break;
            Assert.True(DateTime.UtcNow < deadline, "every delivery is sent within a minute");
        }

        foreach (var (endpoint, receiver) in subscribers)
        {
            var calls = receiver.Calls.ToList();
            Assert.Equal(events, calls.Select(c => JsonDocument.Parse(c.Body).RootElement.GetProperty("data").GetProperty("id").GetGuid()));
            Assert.All(await DeliveriesAsync(endpoint), d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
        }
    }

    [Fact]
    public async Task ClaimLeftByACrashedDispatcher_IsTakenOverOnceItsLeaseLapses()
    {
        var admin = _first.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await admin.CreateDoorAsync(site);
        var (endpoint, receiver) = await SubscribeAsync(site);
        receiver.Delay = TimeSpan.Zero;
        await _first.Services.GetRequiredService<WebhookDispatcher>().StopAsync(Ct);
        await _second.Services.GetRequiredService<WebhookDispatcher>().StopAsync(Ct);
        await _first.AppendAsync(site, door);
        await _first.AppendAsync(site, door);

        // An instance claims both deliveries and dies before sending them.
        var now = _second.Clock.GetCurrentInstant();
        var lease = Duration.FromMinutes(2);
        await using (var scope = _first.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            Assert.Equal(2, await WebhookClaims.ClaimAsync(db, endpoint, Guid.NewGuid(), now, now + lease, 100, Ct));
        }

        Assert.Equal(0, await DispatchAsync(_second));
        _second.Clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(0, await DispatchAsync(_second));
        Assert.Empty(receiver.Calls);

        _second.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, await DispatchAsync(_second));
        Assert.Equal(0, await DispatchAsync(_second));
        Assert.Equal(2, receiver.Calls.Select(c => c.Id).Distinct().Count());
        Assert.Equal(2, receiver.Calls.Count);
        Assert.All(await DeliveriesAsync(endpoint), d => Assert.Equal("succeeded", d.GetProperty("status").GetString()));
    }
}

public sealed class WebhookClaimSqliteTests() : WebhookClaimTests(DatabaseKind.Sqlite);

public sealed class WebhookClaimPostgresTests() : WebhookClaimTests(DatabaseKind.Postgres);
