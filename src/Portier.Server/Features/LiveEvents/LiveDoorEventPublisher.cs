using NodaTime;
using Portier.Server.Features.Alarms;

namespace Portier.Server.Features.LiveEvents;

/// <summary>
/// Streams what door supervision sees (door state, alarms raised, cleared and acknowledged) on the
/// door's site, and still logs it. Webhooks for the same changes go out through the outbox in the
/// save that records them (see <see cref="DoorSupervision"/>).
/// </summary>
public sealed class LiveDoorEventPublisher(ILiveEventPublisher live, ILogger<LoggingDoorEventPublisher> logger) : IDoorEventPublisher
{
    private readonly LoggingDoorEventPublisher _log = new(logger);

    public Task DoorStateChangedAsync(DoorStateChanged change, CancellationToken ct)
    {
        live.Publish(LiveEventTypes.DoorStateChanged, change.SiteId, Instant.FromDateTimeOffset(change.At), change, change.DoorId);
        return _log.DoorStateChangedAsync(change, ct);
    }

    public Task AlarmRaisedAsync(AlarmResponse alarm, CancellationToken ct)
    {
        Publish(LiveEventTypes.AlarmRaised, alarm, alarm.RaisedAt);
        return _log.AlarmRaisedAsync(alarm, ct);
    }

    public Task AlarmClearedAsync(AlarmResponse alarm, CancellationToken ct)
    {
        Publish(LiveEventTypes.AlarmCleared, alarm, alarm.ClearedAt ?? alarm.RaisedAt);
        return _log.AlarmClearedAsync(alarm, ct);
    }

    public Task AlarmAcknowledgedAsync(AlarmResponse alarm, CancellationToken ct)
    {
        Publish(LiveEventTypes.AlarmAcknowledged, alarm, alarm.AcknowledgedAt ?? alarm.RaisedAt);
        return _log.AlarmAcknowledgedAsync(alarm, ct);
    }

    /// <summary>The live stream is per site: an alarm of no site (an all-sites webhook endpoint) is only logged, listed and sent to webhooks.</summary>
    private void Publish(string type, AlarmResponse alarm, DateTimeOffset at)
    {
        if (alarm.SiteId is { } site) live.Publish(type, site, Instant.FromDateTimeOffset(at), alarm, alarm.DoorId);
    }
}
