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
/// </summary>
public sealed partial class LiveEventBroker(
    IHubContext<EventsHub> hub, IOptions<LiveEventOptions> options, ILogger<LiveEventBroker> logger) : ILiveEventPublisher, ILiveEventFeed
{
    private readonly ConcurrentDictionary<Guid, SiteStream> _sites = new();
    private readonly ConcurrentDictionary<(string Connection, Guid Site), Subscriber> _subscribers = new();

    /// <summary>Identifies this server run: sequences restart with it.</summary>
    public Guid Stream { get; } = SequentialIds.Next();

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
            var client = hub.Clients.Client(connection.ConnectionId);
            var subscriber = new Subscriber(connection.ConnectionId, request.SiteId, filter, options.Value.ClientBuffer + replay.Count,
                (evt, ct) => client.SendAsync(evt.Type, evt, ct), connection.Abort);
            foreach (var evt in replay) subscriber.Channel.Writer.TryWrite(evt);
            Add(site, subscriber);
            return new SubscribeResult(Stream, site.Last, replay.Count(e => e.Type != LiveEventTypes.ReplayGap));
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
