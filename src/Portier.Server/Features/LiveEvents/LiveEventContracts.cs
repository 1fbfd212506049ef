using NodaTime;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;

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
    /// <summary>The door sensor or the latch changed.</summary>
    public const string DoorStateChanged = "DoorStateChanged";
    /// <summary>A timed override started, was ended, or reached its end.</summary>
    public const string DoorOverrideChanged = "DoorOverrideChanged";
    /// <summary>A group member's grant started a first-to-arrive door's auto-unlock day.</summary>
    public const string DoorFirstArrival = "DoorFirstArrival";
    public const string AlarmRaised = "AlarmRaised";
    /// <summary>The door closed: the alarm stops standing.</summary>
    public const string AlarmCleared = "AlarmCleared";
    public const string AlarmAcknowledged = "AlarmAcknowledged";
    public const string DeviceStatusChanged = "DeviceStatusChanged";
    /// <summary>A controller's clock went more than the tolerance off the server's, or came back.</summary>
    public const string DeviceClockChanged = "DeviceClockChanged";
    public const string TaskStatusChanged = "TaskStatusChanged";
    public const string ZoneOccupancyChanged = "ZoneOccupancyChanged";
    /// <summary>An attempt broke a zone's anti-passback (refused or let through); the data is the attempt.</summary>
    public const string PassbackViolation = "PassbackViolation";
    /// <summary>Presences in a zone were forgiven (one person, or everyone, by hand or nightly).</summary>
    public const string PassbackForgiven = "PassbackForgiven";
    /// <summary>An event series' access tasks are being re-planned: how many are written so far.</summary>
    public const string PlanningProgress = "PlanningProgress";
    /// <summary>A lockdown or evacuation plan started.</summary>
    public const string LockdownStarted = "LockdownStarted";
    /// <summary>A lockdown or evacuation plan ended (by hand, by its automatic revert).</summary>
    public const string LockdownEnded = "LockdownEnded";
    /// <summary>A holiday calendar reaching the site was created, changed or deleted.</summary>
    public const string CalendarChanged = "CalendarChanged";
    /// <summary>A person at the site was granted a qualification or renewed one.</summary>
    public const string QualificationGranted = "QualificationGranted";
    /// <summary>A person at the site lost a qualification (revoked, or the qualification was deleted).</summary>
    public const string QualificationRevoked = "QualificationRevoked";
    /// <summary>Sent to a reconnecting client whose missed events are no longer held: read the access log instead.</summary>
    public const string ReplayGap = "ReplayGap";
}

/// <summary>A device went online (a heartbeat after none for five minutes) or offline (no heartbeat for five minutes).</summary>
public sealed record DeviceStatusPayload(Guid DeviceId, Guid? DoorId, bool Online, DateTimeOffset? LastSeenAt);

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

/// <summary>
/// The live stream read from inside the server: the console's live pages follow a site's events
/// here, in process, instead of connecting to the hub as a client.
/// </summary>
public interface ILiveEventFeed
{
    /// <summary>
    /// Delivers the site's events from now on to <paramref name="onEvent"/>, one at a time and in order,
    /// until the result is disposed. A listener that falls behind by a whole buffer is stopped and told
    /// through <paramref name="fellBehind"/>, which must return quickly (the listener may listen again
    /// and reload what it shows).
    /// </summary>
    IDisposable Listen(Guid siteId, Func<LiveEvent, Task> onEvent, Action fellBehind);
}

/// <summary>
/// One change told to both audiences with the same <see cref="Data"/>: webhook subscribers through
/// the outbox, in the save that writes the change (<see cref="AnnouncementExtensions.AddAsync"/>), and
/// the live stream once that save committed (<see cref="AnnouncementExtensions.Publish"/>).
/// </summary>
public sealed record Announcement(string LiveType, string? WebhookType, Guid SiteId, Instant At, object Data, Guid? DoorId = null, Guid? ZoneId = null);

public static class AnnouncementExtensions
{
    /// <summary>Adds the webhook events of <paramref name="announcements"/> to <paramref name="db"/>; the caller saves.</summary>
    public static Task AddAsync(this WebhookOutbox outbox, PortierDbContext db, IEnumerable<Announcement> announcements, CancellationToken ct) =>
        outbox.AddAsync(db, [.. announcements.Where(a => a.WebhookType is not null).Select(a => new WebhookEvent(a.WebhookType!, a.SiteId, a.At, a.Data))], ct);

    /// <summary>Streams the announcements; call after the change is durable.</summary>
    public static void Publish(this ILiveEventPublisher live, IEnumerable<Announcement> announcements)
    {
        foreach (var a in announcements) live.Publish(a.LiveType, a.SiteId, a.At, a.Data, a.DoorId, a.ZoneId);
    }
}
