using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Features.Auth;
using Portier.Server.Features.People;
using Portier.Server.Features.Providers;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Events;

/// <summary>
/// Where one person's event access in one window stands, as far as its provider has confirmed it:
/// granted; its revoke due but not yet confirmed (retrying, or waiting for the provider to come back);
/// revoked (the provider confirmed); or the revoke failed (retries ran out: an alarm is standing).
/// Never <see cref="Revoked"/> before the provider confirmed the revoke.
/// </summary>
public enum AttendeeAccessState { Granted, RevocationPending, Revoked, RevocationFailed }

/// <summary>One person's access in one window of a series: who, which session and zone, the window, its state, and the revoke that decides it.</summary>
public sealed record AttendeeAccessResponse(
    Guid PersonId, string PersonName, Guid SessionId, Guid WindowId, string ZoneName,
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd, AttendeeAccessState State, Guid? RevokeTaskId);

/// <summary>
/// The access each person of a series was given through its tasks, read from the tasks alone, so a
/// person removed from the series still shows until the provider confirmed the revoke.
/// </summary>
public static class EventAccessStates
{
    public static RouteGroupBuilder MapEventAccessStates(this RouteGroupBuilder series)
    {
        series.MapGet(EventsRoutes.SeriesAccess, List).RequirePermission(Permissions.EventsRead);
        return series;
    }

    /// <summary>Every window in which a grant of the series executed, per person reached (optionally one person), newest window first.</summary>
    private static async Task<Results<Ok<List<AttendeeAccessResponse>>, ProblemHttpResult>> List(
        Guid id, Guid? personId, PortierDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Set<EventSeries>().AnyAsync(s => s.Id == id, ct)) return Problems.NotFound("Event series");
        return TypedResults.Ok(await ForSeriesAsync(db, id, personId, clock.GetCurrentInstant(), ct));
    }

    public static async Task<List<AttendeeAccessResponse>> ForSeriesAsync(PortierDbContext db, Guid seriesId, Guid? personId, Instant now, CancellationToken ct)
    {
        var tasks = await db.Set<AccessTask>().AsNoTracking()
            .Where(t => t.SeriesId == seriesId && t.Status != AccessTaskStatus.Cancelled &&
                        (t.Action == AccessTaskAction.Revoke || t.Status == AccessTaskStatus.Executed))
            .ToListAsync(ct);
        var grants = tasks.Where(t => t.Action == AccessTaskAction.Grant).ToList();
        var reached = grants.SelectMany(g => g.GrantedPeople.Select(p => (Grant: g, Person: p)))
            .Where(r => personId is null || r.Person == personId)
            .GroupBy(r => (r.Grant.WindowId, r.Person))
            .ToList();
        var people = reached.Select(r => r.Key.Person).Distinct().ToList();
        var names = await db.Set<Person>().AsNoTracking().Where(p => people.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var zoneIds = grants.Select(g => g.ProviderZoneId).Distinct().ToList();
        var zones = await db.Set<ProviderZone>().AsNoTracking().Where(z => zoneIds.Contains(z.Id)).ToDictionaryAsync(z => z.Id, z => z.Name, ct);
        var revokes = tasks.Where(t => t.Action == AccessTaskAction.Revoke).ToLookup(t => t.WindowId);

        return reached
            .Select(r =>
            {
                var grant = r.MaxBy(x => x.Grant.ExecutedAt).Grant;
                var covering = revokes[r.Key.WindowId].Where(t => t.PersonId is null || t.PersonId == r.Key.Person).ToList();
                var (state, revoke) = StateOf(grant.ExecutedAt!.Value, covering, now);
                return new AttendeeAccessResponse(r.Key.Person, names.GetValueOrDefault(r.Key.Person, ""), grant.SessionId, r.Key.WindowId,
                    zones.GetValueOrDefault(grant.ProviderZoneId, ""), grant.WindowStart.ToDateTimeOffset(), grant.WindowEnd.ToDateTimeOffset(), state, revoke?.Id);
            })
            .OrderByDescending(a => a.WindowStart).ThenBy(a => a.PersonName).ThenBy(a => a.ZoneName)
            .ToList();
    }

    /// <summary>
    /// The state of access granted at <paramref name="grantedAt"/> given the revokes covering the person in
    /// that window: revoked only by a revoke that executed after the grant; a failed one wins over one still due.
    /// </summary>
    private static (AttendeeAccessState State, AccessTask? Revoke) StateOf(Instant grantedAt, IReadOnlyList<AccessTask> covering, Instant now)
    {
        if (covering.FirstOrDefault(t => t.Status == AccessTaskStatus.Executed && t.ExecutedAt >= grantedAt) is { } done)
            return (AttendeeAccessState.Revoked, done);
        if (covering.FirstOrDefault(t => t.Status == AccessTaskStatus.Failed) is { } failed)
            return (AttendeeAccessState.RevocationFailed, failed);
        if (covering.FirstOrDefault(t => AccessTaskRules.IsOpen(t.Status) && t.TargetAt <= now) is { } due)
            return (AttendeeAccessState.RevocationPending, due);
        return (AttendeeAccessState.Granted, covering.FirstOrDefault(t => AccessTaskRules.IsOpen(t.Status)));
    }
}
