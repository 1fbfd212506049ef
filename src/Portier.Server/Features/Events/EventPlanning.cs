using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Providers;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Events;

/// <summary>
/// Re-plans a series' tasks after any change to its sessions, attendees or policies: loads what the
/// pure <see cref="TaskPlanner"/> needs, and applies its plan in the same transaction as the change.
/// A large series writes tens of thousands of tasks, so the plan is written in batches and each
/// batch is announced on the live stream as <c>PlanningProgress</c>.
/// </summary>
public sealed class EventPlanning(TimeProvider clock, IOptions<EventAccessOptions> options, ILiveEventPublisher live)
{
    public Duration Horizon => Duration.FromTimeSpan(options.Value.MaterializationHorizon);

    /// <summary>Saves the pending change and the re-planned tasks of <paramref name="seriesId"/> atomically.</summary>
    public Task SaveAndReplanAsync(PortierDbContext db, Guid seriesId, CancellationToken ct) => SaveAndReplanAsync(db, [seriesId], ct);

    /// <summary>Saves the pending change and the re-planned tasks of every series in <paramref name="seriesIds"/> atomically.</summary>
    public async Task SaveAndReplanAsync(PortierDbContext db, IReadOnlyCollection<Guid> seriesIds, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        var progress = await db.Set<EventSeries>().AsNoTracking().Where(s => seriesIds.Contains(s.Id))
            .Select(s => new { s.Id, s.SiteId }).ToDictionaryAsync(s => s.Id, s => new Progress(s.Id, s.SiteId, clock.GetCurrentInstant()), ct);
        foreach (var run in progress.Values) Announce(run, PlanningStage.Loading);
        try
        {
            await ReplanAsync(db, seriesIds, progress, ct);
            await transaction.CommitAsync(ct);
            foreach (var run in progress.Values) Announce(run, PlanningStage.Done);
        }
        catch
        {
            foreach (var run in progress.Values) Announce(run, PlanningStage.Failed);
            throw;
        }
    }

    private async Task ReplanAsync(PortierDbContext db, IReadOnlyCollection<Guid> seriesIds, Dictionary<Guid, Progress> progress, CancellationToken ct)
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
            var run = progress[series.Key];
            run.Total = plan.Creates.Count + plan.Retargets.Count + plan.Cancels.Count + plan.Supersedes.Count;
            Announce(run, PlanningStage.Writing);
            await WriteAsync(db, Apply(db, plan, tasksById, sessionById, providerOfPolicy), run, ct);
        }
    }

    /// <summary>
    /// Saves the changed tasks a batch at a time, inside the caller's transaction, and lets go of each
    /// saved batch so the change tracker stays small however many tasks the series has.
    /// </summary>
    private async Task WriteAsync(PortierDbContext db, IEnumerable<AccessTask> changes, Progress run, CancellationToken ct)
    {
        var batch = new List<AccessTask>(options.Value.PlanningBatchSize);
        foreach (var task in changes)
        {
            batch.Add(task);
            if (batch.Count == options.Value.PlanningBatchSize) await FlushAsync();
        }
        if (batch.Count > 0) await FlushAsync();

        async Task FlushAsync()
        {
            await db.SaveChangesAsync(ct);
            foreach (var task in batch) db.Entry(task).State = EntityState.Detached;
            run.Written += batch.Count;
            batch.Clear();
            Announce(run, PlanningStage.Writing);
        }
    }

    private void Announce(Progress run, PlanningStage stage) =>
        live.Publish(LiveEventTypes.PlanningProgress, run.SiteId, clock.GetCurrentInstant(),
            new PlanningProgressPayload(run.SeriesId, stage, run.Written, run.Total, run.StartedAt.ToDateTimeOffset()));

    private sealed class Progress(Guid seriesId, Guid siteId, Instant startedAt)
    {
        public Guid SeriesId { get; } = seriesId;
        public Guid SiteId { get; } = siteId;
        public Instant StartedAt { get; } = startedAt;
        public int Written { get; set; }
        public int Total { get; set; }
    }

    private static ExistingTask ToExisting(AccessTask t) => new(t.Id, t.SessionId, t.PolicyId, t.WindowId, t.Action, t.PersonId,
        t.Status, t.TargetAt, t.Window, t.ProviderZoneId, t.Tag, t.ExecutedAt, t.GrantedPeople);

    /// <summary>Applies the plan one task at a time as it is enumerated, so the caller can save in batches.</summary>
    private static IEnumerable<AccessTask> Apply(PortierDbContext db, TaskPlan plan, Dictionary<Guid, AccessTask> tasks,
        Dictionary<Guid, EventSession> sessions, Dictionary<Guid, Guid> providerOfPolicy)
    {
        foreach (var c in plan.Creates)
        {
            var session = sessions[c.SessionId];
            var task = AccessTask.Planned(c.Id, session.SiteId, session.SeriesId, c.SessionId, c.PolicyId, providerOfPolicy[c.PolicyId],
                c.ZoneId, c.WindowId, c.Action, c.PersonId, c.Tag, c.Status, c.Target, c.MaterializeAt, c.Window);
            db.Add(task);
            yield return task;
        }
        foreach (var r in plan.Retargets)
        {
            var task = Tracked(db, tasks[r.TaskId]);
            task.Retarget(r.Status, r.Target, r.MaterializeAt, r.Window);
            yield return task;
        }
        foreach (var id in plan.Cancels)
        {
            var task = Tracked(db, tasks[id]);
            task.Cancel();
            yield return task;
        }
        foreach (var id in plan.Supersedes)
        {
            var task = Tracked(db, tasks[id]);
            task.Supersede();
            yield return task;
        }
    }

    private static AccessTask Tracked(PortierDbContext db, AccessTask task)
    {
        if (db.Entry(task).State == EntityState.Detached) db.Attach(task);
        return task;
    }
}
