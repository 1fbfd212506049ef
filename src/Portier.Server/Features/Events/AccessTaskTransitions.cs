using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Features.Providers;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Events;

/// <summary>
/// The set-based changes of access tasks, each one conditional UPDATE so concurrent runners (and
/// nodes) never both take the same step: the horizon moving tasks forward, and claiming due tasks.
/// Every other change goes through <see cref="AccessTask"/>'s methods. Tasks are not audited
/// entities (their own fields are their history), so these write no audit entries either.
/// </summary>
public static class AccessTaskTransitions
{
    /// <summary>
    /// Not yet scheduled → pending once inside the horizon (<see cref="AccessTaskRules.OpenStatus"/>);
    /// pending → scheduled when the provider is not known to be failing and the zone is active.
    /// Answers how many tasks entered the horizon.
    /// </summary>
    public static async Task<int> MaterializeAsync(PortierDbContext db, Instant now, CancellationToken ct)
    {
        var entered = await UpdateAnyAsync(db.Set<AccessTask>()
            .Where(t => t.Status == AccessTaskStatus.NotYetScheduled && t.MaterializeAt <= now),
            s => s.SetProperty(t => t.Status, AccessTaskStatus.Pending), ct);
        await UpdateAnyAsync(db.Set<AccessTask>()
            .Where(t => t.Status == AccessTaskStatus.Pending && t.MaterializeAt <= now && t.ClaimToken == null &&
                        db.Set<ProviderZone>().Any(z => z.Id == t.ProviderZoneId && z.Active) &&
                        db.Set<AccessProvider>().Any(p => p.Id == t.ProviderId && p.Health != ProviderHealth.Unhealthy)),
            s => s.SetProperty(t => t.Status, AccessTaskStatus.Scheduled), ct);
        return entered;
    }

    /// <summary>
    /// Updates the rows when there are any. An UPDATE takes SQLite's one write lock even when it matches nothing,
    /// and the runner passes four times a second: a pass with nothing to change only reads, so it never holds up
    /// the access log's writer.
    /// </summary>
    private static async Task<int> UpdateAnyAsync(IQueryable<AccessTask> rows, Action<UpdateSettersBuilder<AccessTask>> set, CancellationToken ct) =>
        await rows.AnyAsync(ct) ? await rows.ExecuteUpdateAsync(set, ct) : 0;

    /// <summary>
    /// Claims up to <paramref name="max"/> due tasks for <paramref name="token"/> until <paramref name="lease"/>,
    /// revokes ahead of grants, each by target time: when more is due than one batch (a provider back after
    /// an outage), access that should have ended is taken away first. While a provider is unhealthy and one of
    /// its revokes waits out a retry's backoff, its grants wait too: the call that finds the provider back is a
    /// revoke, and its success makes the grants due (<see cref="RetryNowAsync"/>). PostgreSQL:
    /// <c>FOR UPDATE SKIP LOCKED</c>; SQLite: one conditional UPDATE, atomic because SQLite serializes writers.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> ClaimDueAsync(PortierDbContext db, Guid token, Instant now, Instant lease, int max, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            var millis = now.ToUnixTimeMilliseconds();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var tasks = StoreTable.Of<AccessTask>(db);
            var providers = StoreTable.Of<AccessProvider>(db);
            string Column(string property) => tasks.Column(property);
            var arguments = new SqlArguments();
            var (pending, scheduled, at, limit) =
                (arguments.Add(nameof(AccessTaskStatus.Pending)), arguments.Add(nameof(AccessTaskStatus.Scheduled)), arguments.Add(millis), arguments.Add(max));
            var (grant, revoke, unhealthy) =
                (arguments.Add(nameof(AccessTaskAction.Grant)), arguments.Add(nameof(AccessTaskAction.Revoke)), arguments.Add(nameof(ProviderHealth.Unhealthy)));
            var claim = $"""
                SELECT {Column(nameof(AccessTask.Id))} AS "Value" FROM {tasks.Name}
                WHERE {Column(nameof(AccessTask.Status))} IN ({pending}, {scheduled}) AND {Column(nameof(AccessTask.TargetAt))} <= {at}
                  AND ({Column(nameof(AccessTask.NextAttemptAt))} IS NULL OR {Column(nameof(AccessTask.NextAttemptAt))} <= {at})
                  AND ({Column(nameof(AccessTask.ClaimedUntil))} IS NULL OR {Column(nameof(AccessTask.ClaimedUntil))} <= {at})
                  AND NOT ({Column(nameof(AccessTask.Action))} = {grant} AND EXISTS (
                    SELECT 1 FROM {tasks.Name} AS r JOIN {providers.Name} AS p ON p.{providers.Column(nameof(AccessProvider.Id))} = r.{Column(nameof(AccessTask.ProviderId))}
                    WHERE r.{Column(nameof(AccessTask.ProviderId))} = {tasks.Name}.{Column(nameof(AccessTask.ProviderId))}
                      AND p.{providers.Column(nameof(AccessProvider.Health))} = {unhealthy} AND r.{Column(nameof(AccessTask.Action))} = {revoke}
                      AND r.{Column(nameof(AccessTask.Status))} IN ({pending}, {scheduled}) AND r.{Column(nameof(AccessTask.NextAttemptAt))} > {at}))
                ORDER BY {Column(nameof(AccessTask.Action))} DESC, {Column(nameof(AccessTask.TargetAt))}
                LIMIT {limit}
                FOR UPDATE SKIP LOCKED
                """;
            var ids = await db.Database.SqlQueryRaw<Guid>(claim, [.. arguments.Values]).ToListAsync(ct);
            if (ids.Count > 0)
                await db.Set<AccessTask>().Where(t => ids.Contains(t.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.ClaimToken, token).SetProperty(t => t.ClaimedUntil, lease), ct);
            await transaction.CommitAsync(ct);
            return ids;
        }
        var candidates = Due(db, now).OrderByDescending(t => t.Action).ThenBy(t => t.TargetAt).Take(max).Select(t => t.Id);
        if (await UpdateAnyAsync(Due(db, now).Where(t => candidates.Contains(t.Id)),
                s => s.SetProperty(t => t.ClaimToken, token).SetProperty(t => t.ClaimedUntil, lease), ct) == 0) return [];
        return await db.Set<AccessTask>().Where(t => t.ClaimToken == token)
            .OrderByDescending(t => t.Action).ThenBy(t => t.TargetAt).Select(t => t.Id).ToListAsync(ct);
    }

    /// <summary>
    /// The provider answered again after failing: its open tasks waiting out an automatic retry's backoff
    /// become due now, so the next pass runs them in claim order (revokes first) instead of up to an hour later.
    /// </summary>
    public static Task<int> RetryNowAsync(PortierDbContext db, Guid providerId, Instant now, CancellationToken ct) =>
        db.Set<AccessTask>()
            .Where(t => t.ProviderId == providerId && (t.Status == AccessTaskStatus.Pending || t.Status == AccessTaskStatus.Scheduled) &&
                        t.ClaimToken == null && t.NextAttemptAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.NextAttemptAt, now), ct);

    private static IQueryable<AccessTask> Due(PortierDbContext db, Instant now) => db.Set<AccessTask>().Where(t =>
        (t.Status == AccessTaskStatus.Pending || t.Status == AccessTaskStatus.Scheduled) && t.TargetAt <= now &&
        (t.NextAttemptAt == null || t.NextAttemptAt <= now) && (t.ClaimedUntil == null || t.ClaimedUntil <= now) &&
        !(t.Action == AccessTaskAction.Grant &&
          db.Set<AccessProvider>().Any(p => p.Id == t.ProviderId && p.Health == ProviderHealth.Unhealthy) &&
          db.Set<AccessTask>().Any(r => r.ProviderId == t.ProviderId && r.Action == AccessTaskAction.Revoke &&
                                        (r.Status == AccessTaskStatus.Pending || r.Status == AccessTaskStatus.Scheduled) && r.NextAttemptAt > now)));
}
