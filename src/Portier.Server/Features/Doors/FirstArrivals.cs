using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Doors;
using Portier.Core.Policy;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.People;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Doors;

/// <summary>The grant that started a gated door's day, as recorded in the access log.</summary>
public sealed record ArrivalRecord(Guid EventId, Guid PersonId, Guid DoorId, Instant At)
{
    public FirstArrival ToCore() => new(PersonId, DoorId, At);
}

/// <summary>
/// What subscribers hear when a group member's grant starts a first-to-arrive door's day (live <c>DoorFirstArrival</c>,
/// webhook <c>door.first_arrival</c>): the gated door, who arrived, at which door and when, and the attempt itself.
/// </summary>
public sealed record DoorFirstArrivalPayload(Guid DoorId, Guid PersonId, string? PersonName, Guid ArrivedAtDoorId, DateTimeOffset At,
    FirstArrivalScope Scope, Guid AccessEventId);

/// <summary>A first-to-arrive door's day as the door page shows it: started (by whom, where, when) or still waiting.</summary>
public sealed record FirstArrivalToday(bool Started, Guid? PersonId, string? PersonName, Guid? ArrivedAtDoorId, DateTimeOffset? At, string Summary);

/// <summary>
/// "Has the day started?" read from the access log, so it survives a restart and counts an arrival decided by a
/// controller offline once its event comes home. An arrival is a granted attempt (a scan, a gate or an app unlock;
/// not an administrator's opening nor the schedule's own) by a person who is in the group now, at the door or
/// anywhere on its site, from the start of the site's local day.
/// </summary>
public static class FirstArrivalQuery
{
    /// <summary>The earliest arrival at or after <paramref name="from"/> and at or before <paramref name="until"/>; null = none.</summary>
    public static async Task<ArrivalRecord?> EarliestAsync(PortierDbContext db, PolicySnapshot snapshot, Guid doorId, Guid siteId, FirstArrivalRule rule,
        Instant from, Instant until, CancellationToken ct)
    {
        var members = snapshot.ArrivalGroupOf(doorId).ToArray();
        if (members.Length == 0) return null;
        var query = db.Set<AccessEvent>().AsNoTracking().Where(e => e.At >= from && e.At <= until && e.Allowed && e.OutcomeOf == null
            && e.PersonId != null && (e.Method == AccessMethod.Scan || e.Method == AccessMethod.AppUnlock) && members.Contains(e.PersonId.Value));
        query = rule.Scope == FirstArrivalScope.Door ? query.Where(e => e.DoorId == doorId) : query.Where(e => e.SiteId == siteId);
        return await query.OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new ArrivalRecord(e.Id, e.PersonId!.Value, e.DoorId, e.At)).FirstOrDefaultAsync(ct);
    }

    /// <summary>Today's first arrival at a gated door, as of <paramref name="now"/> in the site's zone; null = none yet (or not gated).</summary>
    public static async Task<ArrivalRecord?> TodayAsync(PortierDbContext db, PolicySnapshot snapshot, Guid doorId, Guid siteId, Instant now, CancellationToken ct) =>
        snapshot.FirstArrivalAt(doorId) is { } rule && snapshot.ZoneOf(doorId) is { } zone
            ? await EarliestAsync(db, snapshot, doorId, siteId, rule, FirstArrivalRule.DayStart(now, zone), now, ct)
            : null;

    /// <summary>The door page's line for a gated door; null for a door that is not first-to-arrive.</summary>
    public static async Task<FirstArrivalToday?> StateAsync(PortierDbContext db, PolicySnapshot snapshot, Guid doorId, Guid siteId, Instant now, CancellationToken ct)
    {
        if (snapshot.FirstArrivalAt(doorId) is not { } rule || snapshot.ZoneOf(doorId) is not { } zone) return null;
        if (await TodayAsync(db, snapshot, doorId, siteId, now, ct) is not { } arrival)
            return new FirstArrivalToday(false, null, null, null, null, $"Auto-unlock waits for the first arrival of {rule.Describe()}.");
        var name = await db.Set<Person>().Where(p => p.Id == arrival.PersonId).Select(p => p.Name).FirstOrDefaultAsync(ct);
        return new FirstArrivalToday(true, arrival.PersonId, name, arrival.DoorId, arrival.At.ToDateTimeOffset(),
            $"Started by {name ?? "a person since removed"} at {arrival.At.InZone(zone).TimeOfDay:HH:mm}.");
    }
}

/// <summary>
/// Watches granted attempts as they become durable: the first of a local day by a member of a gated door's group
/// starts that door's day. It is announced once (the earliest arrival of the day is unique, however many grants
/// race) and the door is handed to the latch scheduler at once, so it latches within a moment when inside a window.
/// </summary>
public sealed partial class FirstArrivalWatcher(
    IServiceScopeFactory scopes,
    Decisions.PolicySnapshotStore policy,
    IServiceProvider services,
    WebhookOutbox outbox,
    ILiveEventPublisher live,
    TimeProvider clock,
    ILogger<FirstArrivalWatcher> logger) : IAccessEventSink
{
    /// <summary>Doors known to have started the day beginning at the instant kept: later grants that day are not looked at again.</summary>
    private readonly ConcurrentDictionary<Guid, Instant> _started = new();

    public ValueTask BeforeCommitAsync(PortierDbContext db, IReadOnlyList<AccessEvent> events, CancellationToken ct) => ValueTask.CompletedTask;

    public void AfterCommit(IReadOnlyList<AccessEvent> events)
    {
        var arrivals = events.Where(e => e is { Allowed: true, OutcomeOf: null, PersonId: not null, Method: AccessMethod.Scan or AccessMethod.AppUnlock }).ToList();
        if (arrivals.Count > 0) _ = Task.Run(() => ConsiderAsync(arrivals));
    }

    private async Task ConsiderAsync(List<AccessEvent> arrivals)
    {
        try
        {
            var snapshot = await policy.GetAsync(CancellationToken.None);
            var now = clock.GetCurrentInstant();
            foreach (var arrival in arrivals)
            {
                foreach (var doorId in snapshot.DoorsStartedBy(arrival.DoorId, arrival.PersonId!.Value))
                    await ConsiderAsync(snapshot, doorId, arrival, now);
            }
        }
        catch (Exception e)
        {
            LogConsiderFailed(logger, e);
        }
    }

    private async Task ConsiderAsync(PolicySnapshot snapshot, Guid doorId, AccessEvent arrival, Instant now)
    {
        if (snapshot.FirstArrivalAt(doorId) is not { } rule || snapshot.ZoneOf(doorId) is not { } zone) return;
        var dayStart = FirstArrivalRule.DayStart(now, zone);
        // An offline arrival of an earlier day coming home does not start today.
        if (arrival.At < dayStart || (_started.TryGetValue(doorId, out var known) && known == dayStart)) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var first = await FirstArrivalQuery.EarliestAsync(db, snapshot, doorId, arrival.SiteId, rule, dayStart, now, CancellationToken.None);
        if (first is null) return;
        _started[doorId] = dayStart;
        if (first.EventId != arrival.Id) return;
        var name = await db.Set<Person>().Where(p => p.Id == first.PersonId).Select(p => p.Name).FirstOrDefaultAsync();
        var announcement = new Announcement(LiveEventTypes.DoorFirstArrival, WebhookEventTypes.DoorFirstArrival, arrival.SiteId, arrival.At,
            new DoorFirstArrivalPayload(doorId, first.PersonId, name, first.DoorId, first.At.ToDateTimeOffset(), rule.Scope, first.EventId), doorId);
        await outbox.AddAsync(db, [announcement], CancellationToken.None);
        await db.SaveChangesAsync();
        live.Publish([announcement]);
        LogDayStarted(logger, doorId, first.PersonId, first.DoorId);
        // Resolved here, not injected: the scheduler's own dependencies reach the access event writer, which holds this sink.
        await services.GetRequiredService<DoorLatchScheduler>().ApplyDoorAsync(doorId, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Door {DoorId}: the first arrival of its group (person {PersonId} at door {ArrivedAt}) starts its auto-unlock day")]
    private static partial void LogDayStarted(ILogger logger, Guid doorId, Guid personId, Guid arrivedAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for first arrivals after a grant failed; the latch scheduler's next pass still finds them")]
    private static partial void LogConsiderFailed(ILogger logger, Exception exception);
}
