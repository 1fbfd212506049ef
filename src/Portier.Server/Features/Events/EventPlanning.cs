using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Features.Providers;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Events;

/// <summary>
/// Re-plans a series' tasks after any change to its sessions, attendees or policies: loads what the
/// pure <see cref="TaskPlanner"/> needs, and applies its plan in the same transaction as the change.
/// </summary>
public sealed class EventPlanning(TimeProvider clock, IOptions<EventAccessOptions> options)
{
    public Duration Horizon => Duration.FromTimeSpan(options.Value.MaterializationHorizon);

    /// <summary>Saves the pending change and the re-planned tasks of <paramref name="seriesId"/> atomically.</summary>
    public async Task SaveAndReplanAsync(PortierDbContext db, Guid seriesId, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await ReplanAsync(db, [seriesId], ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    public async Task ReplanAsync(PortierDbContext db, IReadOnlyCollection<Guid> seriesIds, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        // A window can end up to 480 minutes after its session; sessions with open tasks are included however old.
        var horizonStart = now - Duration.FromMinutes(PolicyBuffers.MaxMinutes);
        var sessions = await db.Set<EventSession>()
            .Where(s => seriesIds.Contains(s.SeriesId))
            .Where(s => s.EndsAt > horizonStart || db.Set<AccessTask>().Any(t => t.SessionId == s.Id && t.Current &&
                (t.Status == AccessTaskStatus.NotYetScheduled || t.Status == AccessTaskStatus.Pending || t.Status == AccessTaskStatus.Scheduled)))
            .AsNoTracking().ToListAsync(ct);
        var sessionIds = sessions.Select(s => s.Id).ToList();
        var policies = await (from p in db.Set<EventAccessPolicy>()
                              join z in db.Set<ProviderZone>() on p.ProviderZoneId equals z.Id
                              where seriesIds.Contains(p.SeriesId)
                              select new { Policy = p, z.Active, z.ProviderId }).AsNoTracking().ToListAsync(ct);
        var attendees = await db.Set<EventAttendee>().Where(a => seriesIds.Contains(a.SeriesId)).AsNoTracking().ToListAsync(ct);
        // Read untracked: a series can hold tens of thousands of tasks and a re-plan usually changes few.
        var tasks = await db.Set<AccessTask>().AsNoTracking().Where(t => sessionIds.Contains(t.SessionId) && t.Current).ToListAsync(ct);

        var tasksById = tasks.ToDictionary(t => t.Id);
        var sessionById = sessions.ToDictionary(s => s.Id);
        var providerOfPolicy = policies.ToDictionary(p => p.Policy.Id, p => p.ProviderId);
        foreach (var series in sessions.GroupBy(s => s.SeriesId))
        {
            var plan = TaskPlanner.Plan(
                series.Select(s => new SessionPlan(s.Id, s.StartsAt, s.EndsAt, s.CancelledAt is not null,
                    attendees.Where(a => a.SeriesId == s.SeriesId && (a.SessionId == null || a.SessionId == s.Id)).Select(a => a.PersonId).ToHashSet())).ToList(),
                policies.Where(p => p.Policy.SeriesId == series.Key).Select(p => new PolicyPlan(p.Policy.Id,
                    new PolicyBuffers(p.Policy.MinutesBefore, p.Policy.MinutesAfter), p.Policy.ProviderZoneId, p.Policy.TemporaryTag, p.Active)).ToList(),
                tasks.Where(t => t.SeriesId == series.Key).Select(ToExisting).ToList(),
                now, Horizon);
            Apply(db, plan, tasksById, sessionById, providerOfPolicy);
        }
    }

    private static ExistingTask ToExisting(AccessTask t) => new(t.Id, t.SessionId, t.PolicyId, t.WindowId, t.Action, t.PersonId,
        t.Status, t.TargetAt, t.Window, t.ProviderZoneId, t.Tag, t.ExecutedAt, t.GrantedPeople);

    private static void Apply(PortierDbContext db, TaskPlan plan, Dictionary<Guid, AccessTask> tasks,
        Dictionary<Guid, EventSession> sessions, Dictionary<Guid, Guid> providerOfPolicy)
    {
        foreach (var c in plan.Creates)
        {
            var session = sessions[c.SessionId];
            db.Add(new AccessTask
            {
                Id = c.Id, SiteId = session.SiteId, SeriesId = session.SeriesId, SessionId = c.SessionId, PolicyId = c.PolicyId,
                ProviderId = providerOfPolicy[c.PolicyId], ProviderZoneId = c.ZoneId, WindowId = c.WindowId, Action = c.Action,
                PersonId = c.PersonId, Tag = c.Tag, Status = c.Status, TargetAt = c.Target, MaterializeAt = c.MaterializeAt,
                WindowStart = c.Window.Start, WindowEnd = c.Window.End,
            });
        }
        foreach (var r in plan.Retargets)
        {
            var task = Tracked(db, tasks[r.TaskId]);
            task.Status = r.Status;
            task.TargetAt = r.Target;
            task.MaterializeAt = r.MaterializeAt;
            task.WindowStart = r.Window.Start;
            task.WindowEnd = r.Window.End;
        }
        foreach (var id in plan.Cancels) Tracked(db, tasks[id]).Cancel();
        foreach (var id in plan.Supersedes) Tracked(db, tasks[id]).Current = false;
    }

    private static AccessTask Tracked(PortierDbContext db, AccessTask task)
    {
        if (db.Entry(task).State == EntityState.Detached) db.Attach(task);
        return task;
    }
}
