using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.LiveEvents;

/// <summary>The live stream through the real .NET SignalR client over the test server.</summary>
public sealed class LiveEventsHubTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private PortierServer _server = null!;
    private HttpClient _admin = null!;
    private readonly List<HubConnection> _connections = [];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        _server = new PortierServer(_database, PortierServer.WithSettings(new Dictionary<string, string?> { ["LiveEvents:ClientBuffer"] = "100" }));
        _admin = _server.Admin();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections) await connection.DisposeAsync();
        await _server.DisposeAsync();
    }

    private sealed class Listener
    {
        public ConcurrentQueue<JsonElement> Events { get; } = new();

        public async Task<List<JsonElement>> WaitForAsync(int count)
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
            while (Events.Count < count && DateTimeOffset.UtcNow < deadline) await Task.Delay(20, Ct);
            await Task.Delay(100, Ct);
            return [.. Events];
        }
    }

    private async Task<(HubConnection Connection, Listener Listener)> ConnectAsync(string token = PortierServer.AdminToken)
    {
        var connection = _server.LiveConnection(token);
        var listener = new Listener();
        foreach (var type in new[] { LiveEventTypes.AccessGranted, LiveEventTypes.AccessDenied, LiveEventTypes.ReplayGap, LiveEventTypes.ZoneOccupancyChanged })
            connection.On<JsonElement>(type, e => listener.Events.Enqueue(e));
        _connections.Add(connection);
        await connection.StartAsync(Ct);
        return (connection, listener);
    }

    private static Task<JsonElement> SubscribeAsync(HubConnection connection, object request) =>
        connection.InvokeAsync<JsonElement>("Subscribe", request, Ct);

    [Fact]
    public async Task Subscribe_AccessEvents_ArriveTypedWithSiteSequence()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var (connection, listener) = await ConnectAsync();
        var subscribed = await SubscribeAsync(connection, new { siteId = site });
        Assert.Equal(0, subscribed.GetProperty("lastSequence").GetInt64());

        var granted = await _server.AppendAsync(site, door);
        var denied = await _server.AppendAsync(site, door, allowed: false);

        var events = await listener.WaitForAsync(2);
        Assert.Equal(["AccessGranted", "AccessDenied"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L], events.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(granted.Id, events[0].GetProperty("data").GetProperty("id").GetGuid());
        Assert.Equal(denied.Id, events[1].GetProperty("data").GetProperty("id").GetGuid());
        Assert.Equal("no_matching_rule_or_grant", events[1].GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Reconnect_WithLastSequence_GetsMissedEventsExactlyOnce()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var (first, firstListener) = await ConnectAsync();
        var stream = (await SubscribeAsync(first, new { siteId = site })).GetProperty("stream").GetGuid();
        await _server.AppendAsync(site, door);
        var seen = await firstListener.WaitForAsync(1);
        var last = seen.Single().GetProperty("sequence").GetInt64();
        await first.StopAsync(Ct);

        var missed = new List<Guid>();
        for (var i = 0; i < 3; i++) missed.Add((await _server.AppendAsync(site, door, allowed: i != 1)).Id);
        var (second, listener) = await ConnectAsync();
        var resumed = await SubscribeAsync(second, new { siteId = site, stream, afterSequence = last });
        Assert.Equal(3, resumed.GetProperty("replayed").GetInt32());
        var live = await _server.AppendAsync(site, door);

        var events = await listener.WaitForAsync(4);
        Assert.Equal([2L, 3, 4, 5], events.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal([.. missed, live.Id], events.Select(e => e.GetProperty("data").GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task Reconnect_FromAnotherServerRun_GetsReplayGapFirst()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        await _server.AppendAsync(site, door);
        var (connection, listener) = await ConnectAsync();

        await SubscribeAsync(connection, new { siteId = site, stream = Guid.NewGuid(), afterSequence = 40 });

        var events = await listener.WaitForAsync(2);
        Assert.Equal("ReplayGap", events[0].GetProperty("type").GetString());
        Assert.Equal(40, events[0].GetProperty("data").GetProperty("requestedAfter").GetInt64());
        Assert.Equal("AccessGranted", events[1].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Subscribe_DoorFilter_DeliversOnlyThoseDoors()
    {
        var site = await _admin.CreateSiteAsync();
        var front = await _admin.CreateDoorAsync(site, "Front");
        var back = await _admin.CreateDoorAsync(site, "Back");
        var (connection, listener) = await ConnectAsync();
        await SubscribeAsync(connection, new { siteId = site, doorIds = new[] { back } });

        await _server.AppendAsync(site, front);
        var wanted = await _server.AppendAsync(site, back);

        var events = await listener.WaitForAsync(1);
        Assert.Equal(wanted.Id, Assert.Single(events).GetProperty("data").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Subscribe_WithoutPermissionOrOtherSite_IsRefused()
    {
        var mine = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync();
        var (limited, _) = await ConnectAsync(await _admin.CreateTokenAsync(["events:subscribe"], [mine]));
        var (stranger, _) = await ConnectAsync(await _admin.CreateTokenAsync(["access_log:read"]));

        await SubscribeAsync(limited, new { siteId = mine });
        var notFound = await Assert.ThrowsAsync<HubException>(() => SubscribeAsync(limited, new { siteId = other }));
        Assert.Contains("not_found", notFound.Message, StringComparison.Ordinal);
        var forbidden = await Assert.ThrowsAsync<HubException>(() => SubscribeAsync(stranger, new { siteId = mine }));
        Assert.Contains("forbidden", forbidden.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hub_TokenInQueryString_AcceptedOnHubOnly()
    {
        var anonymous = _server.Anonymous();
        var token = Uri.EscapeDataString(PortierServer.AdminToken);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/hubs/events/negotiate?negotiateVersion=1", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync($"/hubs/events/negotiate?negotiateVersion=1&access_token={token}", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/sites?access_token={token}", Ct)).StatusCode);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => ConnectAsync("ptr_not-a-real-token"));
    }

    [Fact]
    public async Task ClientThatStopsReading_IsDropped_OthersGetEverything()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var broker = _server.Services.GetRequiredService<LiveEventBroker>();
        var (reader, listener) = await ConnectAsync();
        await SubscribeAsync(reader, new { siteId = site });
        await StalledLongPollingClientAsync(site);
        Assert.Equal(2, broker.SubscriberCount);

        const int count = 400;
        // In bursts smaller than the buffer, as group commits arrive; about 400 KB in all, far more than a stalled transport holds.
        for (var i = 0; i < count; i++)
        {
            broker.Publish(LiveEventTypes.AccessGranted, site, NodaTime.Instant.FromUnixTimeSeconds(i), new { padding = new string('x', 1000) }, door);
            if (i % 20 == 19) await Task.Delay(10, Ct);
        }

        var events = await listener.WaitForAsync(count);
        Assert.Equal(count, events.Count);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), events.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(1, broker.SubscriberCount);
    }

    [Fact]
    public async Task InProcessListener_GetsItsSiteInOrderUntilDisposed_AndOneThatStallsIsToldItFellBehind()
    {
        var site = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync();
        var feed = _server.Services.GetRequiredService<ILiveEventFeed>();
        var received = new ConcurrentQueue<LiveEvent>();
        var listening = feed.Listen(site, e => { received.Enqueue(e); return Task.CompletedTask; }, () => { });
        var stalled = new TaskCompletionSource();
        var fellBehind = new TaskCompletionSource();
        using var stalledListening = feed.Listen(site, _ => stalled.Task, () => fellBehind.TrySetResult());
        var live = _server.Services.GetRequiredService<ILiveEventPublisher>();

        // In bursts smaller than the buffer (100 here), as group commits arrive.
        for (var i = 0; i < 150; i++)
        {
            live.Publish(LiveEventTypes.AccessGranted, site, NodaTime.Instant.FromUnixTimeSeconds(i), new { i });
            if (i % 20 == 19) await Task.Delay(10, Ct);
        }
        live.Publish(LiveEventTypes.AccessDenied, other, NodaTime.Instant.FromUnixTimeSeconds(0), new { });

        await fellBehind.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (received.Count < 150 && DateTimeOffset.UtcNow < deadline) await Task.Delay(20, Ct);
        Assert.Equal(Enumerable.Range(1, 150).Select(i => (long)i), received.Select(e => e.Sequence));
        Assert.All(received, e => Assert.Equal(site, e.SiteId));

        listening.Dispose();
        live.Publish(LiveEventTypes.AccessGranted, site, NodaTime.Instant.FromUnixTimeSeconds(200), new { });
        await Task.Delay(200, Ct);
        Assert.Equal(150, received.Count);
        Assert.Equal(0, _server.Services.GetRequiredService<LiveEventBroker>().SubscriberCount);
        stalled.SetResult();
    }

    /// <summary>A raw long-polling client that subscribes and then never polls again, so nothing it is sent is read.</summary>
    private async Task StalledLongPollingClientAsync(Guid site)
    {
        var http = _server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PortierServer.AdminToken);
        var negotiated = await (await http.PostAsync("/hubs/events/negotiate?negotiateVersion=1", null, Ct)).JsonAsync();
        var url = $"/hubs/events?id={negotiated.GetProperty("connectionToken").GetString()}";
        await http.GetAsync(url, Ct);
        await http.PostAsync(url, new StringContent("{\"protocol\":\"json\",\"version\":1}\u001e", Encoding.UTF8), Ct);
        await http.PostAsync(url, new StringContent(
            $"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"Subscribe\",\"arguments\":[{{\"siteId\":\"{site}\"}}]}}\u001e", Encoding.UTF8), Ct);
        var broker = _server.Services.GetRequiredService<LiveEventBroker>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(5);
        while (broker.SubscriberCount < 2 && DateTimeOffset.UtcNow < deadline) await Task.Delay(20, Ct);
    }
}
