using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Alarms;

/// <summary>
/// Alarms that are about something other than a door (a webhook endpoint the server disabled, a
/// revoke its provider never confirmed), raised and cleared the way door alarms are: the row and its
/// webhook (<c>alarm.raised</c>, <c>alarm.cleared</c>) are added to the caller's unit of work and
/// saved with the change that caused them; once saved, <see cref="PublishAsync"/> streams them
/// (live stream, log). One alarm per kind and subject stands at a time.
/// </summary>
public sealed partial class SystemAlarms(WebhookOutbox outbox, IDoorEventPublisher events, ILogger<SystemAlarms> logger)
{
    /// <summary>Adds a raised alarm unless one of this kind already stands for the subject; the caller saves.</summary>
    public async Task<Alarm?> RaiseAsync(
        PortierDbContext db, AlarmKind kind, Guid? siteId, Guid subjectId, string detail, Instant at, CancellationToken ct)
    {
        if (await db.Set<Alarm>().AnyAsync(a => a.SubjectId == subjectId && a.Kind == kind && a.ClearedAt == null, ct)) return null;
        var alarm = new Alarm { SiteId = siteId, SubjectId = subjectId, Kind = kind, RaisedAt = at, Detail = detail.Length > 500 ? detail[..500] : detail };
        db.Add(alarm);
        await outbox.AddAsync(db, [WebhookOf(AlarmResponse.From(alarm))], ct);
        return alarm;
    }

    /// <summary>Clears the standing alarms of this kind for the subject; the caller saves.</summary>
    public async Task<List<Alarm>> ClearAsync(PortierDbContext db, AlarmKind kind, Guid subjectId, Instant at, CancellationToken ct)
    {
        var standing = await db.Set<Alarm>().Where(a => a.SubjectId == subjectId && a.Kind == kind && a.ClearedAt == null).ToListAsync(ct);
        foreach (var alarm in standing) alarm.ClearedAt = at;
        await outbox.AddAsync(db, [.. standing.Select(a => WebhookOf(AlarmResponse.From(a)))], ct);
        return standing;
    }

    /// <summary>Streams alarms raised or cleared by a save that committed; a failure is logged and changes nothing.</summary>
    public async Task PublishAsync(IEnumerable<Alarm?> touched, CancellationToken ct)
    {
        foreach (var alarm in touched.OfType<Alarm>().Select(AlarmResponse.From))
        {
            try
            {
                await (alarm.Standing ? events.AlarmRaisedAsync(alarm, ct) : events.AlarmClearedAsync(alarm, ct));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPublishFailed(logger, alarm.Kind, e);
            }
        }
    }

    /// <summary>The webhook of an alarm raised (standing) or cleared.</summary>
    public static WebhookEvent WebhookOf(AlarmResponse alarm) => alarm.Standing
        ? new WebhookEvent(WebhookEventTypes.AlarmRaised, alarm.SiteId, Instant.FromDateTimeOffset(alarm.RaisedAt), alarm)
        : new WebhookEvent(WebhookEventTypes.AlarmCleared, alarm.SiteId, Instant.FromDateTimeOffset(alarm.ClearedAt!.Value), alarm);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing alarm {Kind} failed")]
    private static partial void LogPublishFailed(ILogger logger, AlarmKind kind, Exception exception);
}
