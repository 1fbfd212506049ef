using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.LiveEvents;

/// <summary>
/// The live stream of two nodes sharing one database and one Redis, through the real SignalR client:
/// a subscriber on either node sees every node's events once, numbered alike, and resumes on the other node.
/// </summary>
public sealed class LiveStreamAcrossNodesTests(RedisNodesFixture fixture) : IClassFixture<RedisNodesFixture>, IAsyncDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private readonly ServerNodes _nodes = fixture.Nodes;
    private readonly List<HubConnection> _connections = [];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections) await connection.DisposeAsync();
    }

    private sealed class Listener
    {
        public ConcurrentQueue<JsonElement> Events { get; } = new();

        public async Task<List<JsonElement>> WaitForAsync(int count)
        {
            var deadline = DateTimeOffset.UtcNow + Within;
            while (Events.Count < count && DateTimeOffset.UtcNow < deadline) await Task.Delay(20, Ct);
            Assert.True(Events.Count >= count, $"{count} events expected, {Events.Count} arrived");
            return [.. Events];
        }
    }

    private async Task<(HubConnection Connection, Listener Listener, Task Closed)> ConnectAsync(PortierServer node, string token = PortierServer.AdminToken)
    {
        var connection = node.LiveConnection(token);
        var listener = new Listener();
        foreach (var type in new[] { LiveEventTypes.AccessGranted, LiveEventTypes.AccessDenied, LiveEventTypes.ZoneOccupancyChanged, LiveEventTypes.ReplayGap })
            connection.On<JsonElement>(type, e => listener.Events.Enqueue(e));
        var closed = new TaskCompletionSource();
        connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        _connections.Add(connection);
        await connection.StartAsync(Ct);
        return (connection, listener, closed.Task);
    }

    private static Task<JsonElement> SubscribeAsync(HubConnection connection, object request) =>
        connection.InvokeAsync<JsonElement>("Subscribe", request, Ct);

    /// <summary>Each event's sequence and what it tells: the access event's id, or the count of an occupancy change.</summary>
    private static List<(long Sequence, string What)> Numbered(IEnumerable<JsonElement> events) =>
        [.. events.Where(e => e.GetProperty("type").GetString() != LiveEventTypes.ReplayGap)
            .Select(e => (e.GetProperty("sequence").GetInt64(), What(e.GetProperty("data"))))];

    private static string What(JsonElement data) =>
        data.TryGetProperty("currentCount", out var count) ? $"count {count.GetInt32()}" : data.GetProperty("id").GetGuid().ToString();

    /// <summary>Publishes an occupancy change on a node, as the occupancy feature does after its commit.</summary>
    private static string PublishOccupancy(PortierServer node, Guid site, int count)
    {
        node.Services.GetRequiredService<ILiveEventPublisher>().Publish(LiveEventTypes.ZoneOccupancyChanged, site,
            NodaTime.Instant.FromDateTimeOffset(node.Clock.GetUtcNow()), new ZoneOccupancyPayload(Guid.NewGuid(), count, null));
        return $"count {count}";
    }

    [Fact]
    public async Task EventsOfBothNodes_ReachSubscribersOnBoth_InOneNumberingOnce()
    {
        var admin = _nodes.A.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await admin.CreateDoorAsync(site);
        var (onA, listenerA, _) = await ConnectAsync(_nodes.A);
        var (onB, listenerB, _) = await ConnectAsync(_nodes.B);
        var subscribedA = await SubscribeAsync(onA, new { siteId = site });
        var subscribedB = await SubscribeAsync(onB, new { siteId = site });
        Assert.Equal(subscribedA.GetProperty("stream").GetGuid(), subscribedB.GetProperty("stream").GetGuid());
        Assert.Equal(0, subscribedB.GetProperty("lastSequence").GetInt64());

        // The console's pages on B follow the site in process and read the data typed.
        var inProcessOnB = new ConcurrentQueue<LiveEvent>();
        using var listening = _nodes.B.Services.GetRequiredService<ILiveEventFeed>().Listen(site, e =>
        {
            inProcessOnB.Enqueue(e);
            return Task.CompletedTask;
        }, () => { });

        // Access events recorded through A's access log, occupancy changes published by B, interleaved.
        var fromA = new List<string>();
        var fromB = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            fromA.Add((await _nodes.A.AppendAsync(site, door, allowed: i % 2 == 0)).Id.ToString());
            fromB.Add(PublishOccupancy(_nodes.B, site, i));
        }

        var seenOnB = Numbered(await listenerB.WaitForAsync(8));
        var seenOnA = Numbered(await listenerA.WaitForAsync(8));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], seenOnB.Select(e => e.Sequence));
        Assert.Equal(seenOnB, seenOnA);
        // Each node's events keep the order it recorded them in.
        Assert.Equal(fromA, seenOnB.Select(e => e.What).Where(fromA.Contains));
        Assert.Equal(fromB, seenOnB.Select(e => e.What).Where(fromB.Contains));

        // Once: after a later marker event, nothing else has arrived.
        var marker = await _nodes.A.AppendAsync(site, door);
        var all = Numbered(await listenerB.WaitForAsync(9));
        Assert.Equal(9, all.Count);
        Assert.Equal((9L, marker.Id.ToString()), all[^1]);
        Assert.Equal(all, Numbered(await listenerA.WaitForAsync(9)));
        var deadline = DateTimeOffset.UtcNow + Within;
        while (inProcessOnB.Count < 9 && DateTimeOffset.UtcNow < deadline) await Task.Delay(20, Ct);
        Assert.Equal(all.Select(e => e.Sequence), inProcessOnB.Select(e => e.Sequence));
        Assert.Equal([.. fromA, marker.Id.ToString()], inProcessOnB.Select(e => e.Data).OfType<AccessEventResponse>().Select(r => r.Id.ToString()));
        Assert.Equal(4, inProcessOnB.Count(e => e.Data is ZoneOccupancyPayload));
    }

    [Fact]
    public async Task ClientOfOneNode_ResumesOnTheOther_GettingWhatItMissedExactlyOnce()
    {
        var admin = _nodes.A.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await admin.CreateDoorAsync(site);
        var (first, firstListener, _) = await ConnectAsync(_nodes.A);
        var stream = (await SubscribeAsync(first, new { siteId = site })).GetProperty("stream").GetGuid();
        await _nodes.A.AppendAsync(site, door);
        PublishOccupancy(_nodes.B, site, 1);
        var seen = Numbered(await firstListener.WaitForAsync(2));
        await first.StopAsync(Ct);

        var missed = new List<string>
        {
            (await _nodes.A.AppendAsync(site, door)).Id.ToString(),
            (await _nodes.A.AppendAsync(site, door, allowed: false)).Id.ToString(),
            (await _nodes.A.AppendAsync(site, door)).Id.ToString(),
        };
        // Catch-up on B comes from the stream the nodes share.
        var (second, listener, _) = await ConnectAsync(_nodes.B);
        var resumed = await WaitForReplayAsync(second, new { siteId = site, stream, afterSequence = seen[^1].Sequence }, 3);
        Assert.Equal(stream, resumed.GetProperty("stream").GetGuid());
        var live = (await _nodes.A.AppendAsync(site, door)).Id.ToString();

        var events = await listener.WaitForAsync(4);
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == LiveEventTypes.ReplayGap);
        Assert.Equal([(3L, missed[0]), (4L, missed[1]), (5L, missed[2]), (6L, live)], Numbered(events));
    }

    /// <summary>Subscribes until the replay holds <paramref name="count"/> events (events recorded a moment ago may still be on their way).</summary>
    private static async Task<JsonElement> WaitForReplayAsync(HubConnection connection, object request, int count)
    {
        var deadline = DateTimeOffset.UtcNow + Within;
        while (true)
        {
            var result = await SubscribeAsync(connection, request);
            if (result.GetProperty("replayed").GetInt32() >= count || DateTimeOffset.UtcNow > deadline)
            {
                Assert.Equal(count, result.GetProperty("replayed").GetInt32());
                return result;
            }
            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task TokenDeletedOnOneNode_ClosesItsConnectionOnTheOther_WithoutWaitingForThePeriodicCheck()
    {
        var admin = _nodes.A.Admin();
        var site = await admin.CreateSiteAsync();
        var created = await (await admin.PostJsonAsync("/api/v1/tokens", new { name = "wall", permissions = new[] { "events:subscribe" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var (connection, _, closed) = await ConnectAsync(_nodes.B, created.GetProperty("token").GetString()!);
        await SubscribeAsync(connection, new { siteId = site });

        // The nodes' clocks stand still, so B's periodic re-check never comes: only the news through Redis can close it.
        await (await admin.DeleteAsync($"/api/v1/tokens/{created.GetProperty("details").Id()}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        await closed.WaitAsync(Within, Ct);
    }

    [Fact]
    public async Task Readiness_WithRedisAnswering_IsReady()
    {
        var ready = await _nodes.B.Anonymous().GetAsync("/health/ready", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
