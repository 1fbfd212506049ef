using NodaTime;

namespace Portier.Server.Features.LiveEvents;

/// <summary>
/// One message of the live stream. <see cref="Sequence"/> counts per site and per
/// <see cref="Stream"/> (one stream per server start): a client that reconnects passes both back
/// and receives exactly the events it missed, or a <c>ReplayGap</c> when they are no longer held.
/// </summary>
public sealed record LiveEvent(string Type, Guid SiteId, Guid Stream, long Sequence, DateTimeOffset At, Guid? DoorId, Guid? ZoneId, object Data);

/// <summary>The client method names (the SignalR event names) of the hub.</summary>
public static class LiveEventTypes
{
    public const string AccessGranted = "AccessGranted";
    public const string AccessDenied = "AccessDenied";
    /// <summary>The door's confirmation (confirmed_unlocked, timed_out) of an earlier attempt.</summary>
    public const string AccessOutcome = "AccessOutcome";
    public const string DoorStateChanged = "DoorStateChanged";
    public const string DeviceStatusChanged = "DeviceStatusChanged";
    public const string TaskStatusChanged = "TaskStatusChanged";
    public const string ZoneOccupancyChanged = "ZoneOccupancyChanged";
    /// <summary>Sent to a reconnecting client whose missed events are no longer held: read the access log instead.</summary>
    public const string ReplayGap = "ReplayGap";
}

/// <param name="State">open, closed, forced_open, held_open, locked, unlocked.</param>
public sealed record DoorStatePayload(Guid DoorId, string State);

public sealed record DeviceStatusPayload(Guid DeviceId, bool Online, DateTimeOffset? LastSeenAt);

/// <param name="Status">The access task's new status (pending, running, succeeded, failed, cancelled).</param>
public sealed record TaskStatusPayload(Guid TaskId, string Kind, string Status, string? Detail);

public sealed record ZoneOccupancyPayload(Guid ZoneId, int CurrentCount, int? Capacity);

public sealed record ReplayGapPayload(Guid? RequestedStream, long RequestedAfter, long OldestHeld);

/// <summary>What a client asks for: one site, optionally only some doors or zones, optionally resuming.</summary>
public sealed record SubscribeRequest(Guid SiteId, IReadOnlyList<Guid>? DoorIds = null, IReadOnlyList<Guid>? ZoneIds = null, Guid? Stream = null, long? AfterSequence = null);

/// <summary>The stream and last sequence at the moment of subscribing, and how many held events were replayed.</summary>
public sealed record SubscribeResult(Guid Stream, long LastSequence, int Replayed);

/// <summary>
/// The one place features publish live events. Publishing never waits: each subscriber has a
/// bounded buffer, and one that falls behind is disconnected rather than slowing the others.
/// </summary>
public interface ILiveEventPublisher
{
    void Publish(string type, Guid siteId, Instant at, object data, Guid? doorId = null, Guid? zoneId = null);
}

public static class LiveEventPublisherExtensions
{
    public static void DoorStateChanged(this ILiveEventPublisher live, Guid siteId, Guid doorId, string state, Instant at) =>
        live.Publish(LiveEventTypes.DoorStateChanged, siteId, at, new DoorStatePayload(doorId, state), doorId);

    public static void DeviceStatusChanged(this ILiveEventPublisher live, Guid siteId, Guid deviceId, bool online, Instant? lastSeen, Instant at, Guid? doorId = null) =>
        live.Publish(LiveEventTypes.DeviceStatusChanged, siteId, at, new DeviceStatusPayload(deviceId, online, lastSeen?.ToDateTimeOffset()), doorId);

    public static void TaskStatusChanged(this ILiveEventPublisher live, Guid siteId, Guid taskId, string kind, string status, string? detail, Instant at) =>
        live.Publish(LiveEventTypes.TaskStatusChanged, siteId, at, new TaskStatusPayload(taskId, kind, status, detail));
}
