using Portier.Core.Model;
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

    /// <summary>
    /// How often every connection's token is checked again. Revocations on this node are acted on at
    /// once; this bounds how long one made on another node takes.
    /// </summary>
    [Range(1, 60)]
    public int RecheckSeconds { get; set; } = 2;

    /// <summary>
    /// Browser origins besides the server's own that may open the hub (such as <c>https://wall.example.org</c>).
    /// Clients that send no Origin (services, scripts) are not affected.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];
}

/// <summary>
/// Numbers, holds and fans out live events. Each site keeps a ring of recent events for replay;
/// each subscription (a hub connection, or an in-process listener such as a console page) has its
/// own bounded channel drained by its own pump, so publishing is a TryWrite per subscriber and one
/// that stops reading only fills its own buffer, after which it is dropped (a hub client is disconnected).
/// With Redis (<see cref="LiveEventRelay"/>) a published event is numbered there and comes back to every
/// node, this one included, in sequence order; each node's ring is then a copy of the site's stream,
/// reloaded from Redis whenever this node may have missed an event.
/// </summary>
public sealed partial class LiveEventBroker(
    IHubContext<EventsHub> hub, LiveEventRelay relay, IOptions<LiveEventOptions> options, ILogger<LiveEventBroker> logger)
    : ILiveEventPublisher, ILiveEventFeed
{
    private readonly ConcurrentDictionary<Guid, SiteStream> _sites = new();
    private readonly ConcurrentDictionary<(string Connection, Guid Site), Subscriber> _subscribers = new();

    /// <summary>Without Redis, identifies this server run: every site's sequence restarts with it.</summary>
    private readonly Guid _runStream = SequentialIds.Next();

    public int SubscriberCount => _subscribers.Count;

    public void Publish(string type, Guid siteId, Instant at, object data, Guid? doorId = null, Guid? zoneId = null)
    {
        if (relay.Enabled)
        {
            relay.Send(type, siteId, at.ToDateTimeOffset(), data, doorId, zoneId);
            return;
        }
        var site = Site(siteId);
        lock (site) Fan(site, new LiveEvent(type, siteId, site.Stream, site.Last + 1, at.ToDateTimeOffset(), doorId, zoneId, data));
    }

    /// <summary>Holds the next event of the site and hands it to its subscribers; the caller holds the site's lock.</summary>
    private void Fan(SiteStream site, LiveEvent evt)
    {
        site.Hold(evt);
        foreach (var subscriber in site.Subscribers)
        {
            if (subscriber.Wants(evt) && !subscriber.Channel.Writer.TryWrite(evt)) Drop(subscriber, site);
        }
    }

    /// <summary>An event from Redis, in the stream's order; one missed before it (or a new stream) reloads the site.</summary>
    internal async Task AcceptAsync(LiveEvent evt)
    {
        var site = Site(evt.SiteId);
        await site.Syncing.WaitAsync();
        try
        {
            lock (site)
            {
                var current = site.Synced && evt.Stream == site.Stream;
                if (current && evt.Sequence <= site.Last) return;
                if (current && evt.Sequence == site.Last + 1)
                {
                    Fan(site, evt);
                    return;
                }
            }
            await ReloadAsync(site, evt.Sequence);
        }
        finally
        {
            site.Syncing.Release();
        }
    }

    /// <summary>Redis was away: any site may have missed events, so each reloads at its next event or subscription.</summary>
    internal void Desync()
    {
        foreach (var site in _sites.Values) site.Synced = false;
    }

    /// <summary>
    /// Catches the site's ring up with Redis. Events this node missed are delivered now to the site's
    /// subscribers, in order; on a first load (or a new stream) only those from <paramref name="deliverFrom"/> on
    /// are, since the subscribers came after the earlier ones.
    /// </summary>
    private async Task ReloadAsync(SiteStream site, long deliverFrom)
    {
        var (stream, last, held) = await relay.LoadAsync(site.Id);
        lock (site)
        {
            var sameStream = stream == site.Stream;
            if (!sameStream) site.Restart(stream);
            var fresh = held.Where(e => e.Sequence > site.Last).ToList();
            var first = fresh.Count > 0 ? fresh[0].Sequence : last + 1;
            if (first > site.Last + 1)
            {
                if (sameStream) SendGap(site, new ReplayGapPayload(stream, site.Last, first));
                site.Restart(stream, first - 1);
            }
            foreach (var evt in fresh)
            {
                if (sameStream || evt.Sequence >= deliverFrom) Fan(site, evt);
                else site.Hold(evt);
            }
            site.Synced = true;
        }
    }

    /// <summary>Tells the site's subscribers that events they should have had are no longer held.</summary>
    private void SendGap(SiteStream site, ReplayGapPayload gap)
    {
        var evt = new LiveEvent(LiveEventTypes.ReplayGap, site.Id, site.Stream, 0, default, null, null, gap);
        foreach (var subscriber in site.Subscribers)
        {
            if (!subscriber.Channel.Writer.TryWrite(evt)) Drop(subscriber, site);
        }
    }

    /// <summary>Starts (or replaces) the connection's subscription to a site, replaying held events after the given position.</summary>
    public async Task<SubscribeResult> SubscribeAsync(HubCallerContext connection, SubscribeRequest request)
    {
        var site = Site(request.SiteId);
        if (!relay.Enabled) return Subscribe(site, connection, request);
        await site.Syncing.WaitAsync(connection.ConnectionAborted);
        try
        {
            if (!site.Synced) await ReloadAsync(site, long.MaxValue);
            return Subscribe(site, connection, request);
        }
        finally
        {
            site.Syncing.Release();
        }
    }

    private SubscribeResult Subscribe(SiteStream site, HubCallerContext connection, SubscribeRequest request)
    {
        Unsubscribe(connection.ConnectionId, request.SiteId);
        lock (site)
        {
            var filter = new Filter(request.DoorIds?.ToHashSet(), request.ZoneIds?.ToHashSet());
            var replay = new List<LiveEvent>();
            if (request.AfterSequence is { } after)
            {
                var sameStream = request.Stream == site.Stream;
                var held = site.HeldAfter(sameStream ? after : 0);
                if (!sameStream || (held.Count > 0 ? held[0].Sequence > after + 1 : after < site.Last - site.Count))
                    replay.Add(new LiveEvent(LiveEventTypes.ReplayGap, request.SiteId, site.Stream, 0, default, null, null,
                        new ReplayGapPayload(request.Stream, after, held.Count > 0 ? held[0].Sequence : site.Last + 1)));
                replay.AddRange(held.Where(filter.Wants));
            }
            var client = hub.Clients.Client(connection.ConnectionId);
            var subscriber = new Subscriber(connection.ConnectionId, request.SiteId, filter, options.Value.ClientBuffer + replay.Count,
                (evt, ct) => client.SendAsync(evt.Type, evt, ct), connection.Abort);
            foreach (var evt in replay) subscriber.Channel.Writer.TryWrite(evt);
            Add(site, subscriber);
            return new SubscribeResult(site.Stream, site.Last, replay.Count(e => e.Type != LiveEventTypes.ReplayGap));
        }
    }

    public IDisposable Listen(Guid siteId, Func<LiveEvent, Task> onEvent, Action fellBehind)
    {
        var key = $"listener:{Guid.NewGuid():N}";
        var site = Site(siteId);
        lock (site)
        {
            Add(site, new Subscriber(key, siteId, Filter.Everything, options.Value.ClientBuffer, (evt, _) => onEvent(evt), fellBehind));
        }
        return new Listening(() => Unsubscribe(key, siteId));
    }

    private void Add(SiteStream site, Subscriber subscriber)
    {
        site.Subscribers = [.. site.Subscribers, subscriber];
        _subscribers[(subscriber.Key, subscriber.SiteId)] = subscriber;
        subscriber.Pump = PumpAsync(subscriber);
    }

    public void Unsubscribe(string connectionId, Guid siteId)
    {
        if (!_subscribers.TryRemove((connectionId, siteId), out var subscriber)) return;
        var site = Site(siteId);
        lock (site) site.Subscribers = [.. site.Subscribers.Where(s => s != subscriber)];
        subscriber.Stop();
    }

    /// <summary>The sites a hub connection is subscribed to.</summary>
    public IReadOnlyList<Guid> SitesOf(string connectionId) => [.. _subscribers.Keys.Where(k => k.Connection == connectionId).Select(k => k.Site)];

    public void Disconnected(string connectionId)
    {
        foreach (var key in _subscribers.Keys.Where(k => k.Connection == connectionId)) Unsubscribe(connectionId, key.Site);
    }

    private void Drop(Subscriber subscriber, SiteStream site)
    {
        site.Subscribers = [.. site.Subscribers.Where(s => s != subscriber)];
        _subscribers.TryRemove((subscriber.Key, subscriber.SiteId), out _);
        subscriber.Stop();
        LogDropped(logger, subscriber.Key, subscriber.SiteId);
        subscriber.FellBehind();
    }

    private async Task PumpAsync(Subscriber subscriber)
    {
        await Task.Yield();
        try
        {
            await foreach (var evt in subscriber.Channel.Reader.ReadAllAsync(subscriber.Stopping.Token))
                await subscriber.Deliver(evt, subscriber.Stopping.Token);
        }
        catch (OperationCanceledException) when (subscriber.Stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A receiver that throws (a closed page) stops receiving; the others are not affected.
            LogDeliveryFailed(logger, e, subscriber.Key, subscriber.SiteId);
            Unsubscribe(subscriber.Key, subscriber.SiteId);
        }
    }

    private SiteStream Site(Guid siteId) =>
        _sites.GetOrAdd(siteId, id => new SiteStream(id, relay.Enabled ? Guid.Empty : _runStream, options.Value.ReplayCapacity));

    private sealed class SiteStream(Guid id, Guid stream, int capacity)
    {
        private readonly LiveEvent[] _ring = new LiveEvent[capacity];

        public Guid Id { get; } = id;
        public Guid Stream { get; private set; } = stream;
        public long Last;
        public int Count;
        public Subscriber[] Subscribers = [];

        /// <summary>With Redis: one reload or event from Redis at a time per site.</summary>
        public SemaphoreSlim Syncing { get; } = new(1, 1);

        /// <summary>With Redis: the ring holds the stream up to <see cref="Last"/> with nothing missed since the last reload.</summary>
        public volatile bool Synced;

        /// <summary>Holds the next event (its sequence is <see cref="Last"/> + 1).</summary>
        public void Hold(LiveEvent evt)
        {
            _ring[(int)((evt.Sequence - 1) % _ring.Length)] = evt;
            Last = evt.Sequence;
            Count = Math.Min(Count + 1, _ring.Length);
        }

        /// <summary>Empties the ring: what follows is <paramref name="last"/> + 1 of <paramref name="stream"/>.</summary>
        public void Restart(Guid stream, long last = 0) => (Stream, Last, Count) = (stream, last, 0);

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
        public static readonly Filter Everything = new(null, null);

        /// <summary>Site-wide events always pass; door and zone events pass when either list names them (or no list is given).</summary>
        public bool Wants(LiveEvent evt) =>
            (Doors is not { Count: > 0 } && Zones is not { Count: > 0 })
            || (evt.DoorId is null && evt.ZoneId is null)
            || (evt.DoorId is { } door && Doors?.Contains(door) == true)
            || (evt.ZoneId is { } zone && Zones?.Contains(zone) == true);
    }

    /// <summary>One receiver of a site's events: a hub connection (keyed by its connection id) or an in-process listener.</summary>
    private sealed class Subscriber(
        string key, Guid siteId, Filter filter, int capacity, Func<LiveEvent, CancellationToken, Task> deliver, Action fellBehind)
    {
        public string Key { get; } = key;
        public Guid SiteId { get; } = siteId;
        public Channel<LiveEvent> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<LiveEvent>(
            new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        public CancellationTokenSource Stopping { get; } = new();
        public Task? Pump { get; set; }

        public bool Wants(LiveEvent evt) => filter.Wants(evt);

        public Task Deliver(LiveEvent evt, CancellationToken ct) => deliver(evt, ct);

        public void FellBehind() => fellBehind();

        public void Stop()
        {
            Channel.Writer.TryComplete();
            Stopping.Cancel();
        }
    }

    private sealed class Listening(Action stop) : IDisposable
    {
        private int _stopped;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _stopped, 1) == 0) stop();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live client {ConnectionId} fell behind on site {SiteId} and was dropped")]
    private static partial void LogDropped(ILogger logger, string connectionId, Guid siteId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live receiver {ConnectionId} of site {SiteId} failed and stopped receiving")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string connectionId, Guid siteId);
}
