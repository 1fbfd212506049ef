using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Portier.Server.Features.LiveEvents;

public sealed class LiveEventOptions
{
    public const string Section = "LiveEvents";

    /// <summary>Events held per site for reconnecting clients.</summary>
    [Range(100, 1_000_000)]
    public int ReplayCapacity { get; set; } = 10_000;

    /// <summary>Events buffered per subscriber before it counts as too slow and is disconnected.</summary>
    [Range(10, 100_000)]
    public int ClientBuffer { get; set; } = 1_000;
}

/// <summary>
/// Numbers, holds and fans out live events. Each site keeps a ring of recent events for replay;
/// each subscription has its own bounded channel drained by its own pump into SignalR, so
/// publishing is a TryWrite per subscriber and a client that stops reading only fills its own
/// buffer, after which it is disconnected.
/// </summary>
public sealed partial class LiveEventBroker(
    IHubContext<EventsHub> hub, IOptions<LiveEventOptions> options, ILogger<LiveEventBroker> logger) : ILiveEventPublisher
{
    private readonly ConcurrentDictionary<Guid, SiteStream> _sites = new();
    private readonly ConcurrentDictionary<(string Connection, Guid Site), Subscriber> _subscribers = new();

    /// <summary>Identifies this server run: sequences restart with it.</summary>
    public Guid Stream { get; } = Guid.CreateVersion7();

    public int SubscriberCount => _subscribers.Count;

    public void Publish(string type, Guid siteId, Instant at, object data, Guid? doorId = null, Guid? zoneId = null)
    {
        var site = Site(siteId);
        lock (site)
        {
            var evt = new LiveEvent(type, siteId, Stream, ++site.Last, at.ToDateTimeOffset(), doorId, zoneId, data);
            site.Hold(evt);
            foreach (var subscriber in site.Subscribers)
            {
                if (subscriber.Wants(evt) && !subscriber.Channel.Writer.TryWrite(evt)) Drop(subscriber, site);
            }
        }
    }

    /// <summary>Starts (or replaces) the connection's subscription to a site, replaying held events after the given position.</summary>
    public SubscribeResult Subscribe(HubCallerContext connection, SubscribeRequest request)
    {
        Unsubscribe(connection.ConnectionId, request.SiteId);
        var site = Site(request.SiteId);
        lock (site)
        {
            var filter = new Filter(request.DoorIds?.ToHashSet(), request.ZoneIds?.ToHashSet());
            var replay = new List<LiveEvent>();
            if (request.AfterSequence is { } after)
            {
                var held = site.HeldAfter(request.Stream == Stream ? after : 0);
                if (request.Stream != Stream || (held.Count > 0 ? held[0].Sequence > after + 1 : after < site.Last - site.Count))
                    replay.Add(new LiveEvent(LiveEventTypes.ReplayGap, request.SiteId, Stream, 0, default, null, null,
                        new ReplayGapPayload(request.Stream, after, held.Count > 0 ? held[0].Sequence : site.Last + 1)));
                replay.AddRange(held.Where(filter.Wants));
            }
            var subscriber = new Subscriber(connection, request.SiteId, filter, options.Value.ClientBuffer + replay.Count);
            foreach (var evt in replay) subscriber.Channel.Writer.TryWrite(evt);
            site.Subscribers = [.. site.Subscribers, subscriber];
            _subscribers[(connection.ConnectionId, request.SiteId)] = subscriber;
            subscriber.Pump = PumpAsync(subscriber);
            return new SubscribeResult(Stream, site.Last, replay.Count(e => e.Type != LiveEventTypes.ReplayGap));
        }
    }

    public void Unsubscribe(string connectionId, Guid siteId)
    {
        if (!_subscribers.TryRemove((connectionId, siteId), out var subscriber)) return;
        var site = Site(siteId);
        lock (site) site.Subscribers = [.. site.Subscribers.Where(s => s != subscriber)];
        subscriber.Stop();
    }

    public void Disconnected(string connectionId)
    {
        foreach (var key in _subscribers.Keys.Where(k => k.Connection == connectionId)) Unsubscribe(connectionId, key.Site);
    }

    private void Drop(Subscriber subscriber, SiteStream site)
    {
        site.Subscribers = [.. site.Subscribers.Where(s => s != subscriber)];
        _subscribers.TryRemove((subscriber.Connection.ConnectionId, subscriber.SiteId), out _);
        subscriber.Stop();
        LogDropped(logger, subscriber.Connection.ConnectionId, subscriber.SiteId);
        subscriber.Connection.Abort();
    }

    private async Task PumpAsync(Subscriber subscriber)
    {
        await Task.Yield();
        var client = hub.Clients.Client(subscriber.Connection.ConnectionId);
        try
        {
            await foreach (var evt in subscriber.Channel.Reader.ReadAllAsync(subscriber.Stopping.Token))
                await client.SendAsync(evt.Type, evt, subscriber.Stopping.Token);
        }
        catch (OperationCanceledException) when (subscriber.Stopping.IsCancellationRequested)
        {
        }
    }

    private SiteStream Site(Guid siteId) => _sites.GetOrAdd(siteId, _ => new SiteStream(options.Value.ReplayCapacity));

    private sealed class SiteStream(int capacity)
    {
        private readonly LiveEvent[] _ring = new LiveEvent[capacity];

        public long Last;
        public int Count;
        public Subscriber[] Subscribers = [];

        public void Hold(LiveEvent evt)
        {
            _ring[(int)((evt.Sequence - 1) % _ring.Length)] = evt;
            Count = Math.Min(Count + 1, _ring.Length);
        }

        /// <summary>The held events with a sequence above <paramref name="after"/>, oldest first.</summary>
        public List<LiveEvent> HeldAfter(long after)
        {
            var first = Math.Max(after + 1, Last - Count + 1);
            var held = new List<LiveEvent>((int)Math.Max(0, Last - first + 1));
            for (var seq = first; seq <= Last; seq++) held.Add(_ring[(int)((seq - 1) % _ring.Length)]);
            return held;
        }
    }

    private sealed record Filter(HashSet<Guid>? Doors, HashSet<Guid>? Zones)
    {
        /// <summary>Site-wide events always pass; door and zone events pass when either list names them (or no list is given).</summary>
        public bool Wants(LiveEvent evt) =>
            (Doors is not { Count: > 0 } && Zones is not { Count: > 0 })
            || (evt.DoorId is null && evt.ZoneId is null)
            || (evt.DoorId is { } door && Doors?.Contains(door) == true)
            || (evt.ZoneId is { } zone && Zones?.Contains(zone) == true);
    }

    private sealed class Subscriber(HubCallerContext connection, Guid siteId, Filter filter, int capacity)
    {
        public HubCallerContext Connection { get; } = connection;
        public Guid SiteId { get; } = siteId;
        public Channel<LiveEvent> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<LiveEvent>(
            new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        public CancellationTokenSource Stopping { get; } = new();
        public Task? Pump { get; set; }

        public bool Wants(LiveEvent evt) => filter.Wants(evt);

        public void Stop()
        {
            Channel.Writer.TryComplete();
            Stopping.Cancel();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live client {ConnectionId} fell behind on site {SiteId} and was disconnected")]
    private static partial void LogDropped(ILogger logger, string connectionId, Guid siteId);
}
