using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Policy;
using Portier.Server.Features.Doors;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Lockdowns;

/// <summary>
/// Starts and ends plans, from the API, a controller's lockdown input or the automatic revert alike:
/// the plan's row changes (audited; the policy snapshot and the controllers' bundles are rebuilt from
/// it), the change is announced on the live stream and to webhooks, and the doors' relays follow
/// (a lockdown releases doors latched open by their schedule, an evacuation latches its doors open).
/// </summary>
public sealed partial class LockdownControl(
    PortierDbContext db,
    WebhookOutbox outbox,
    ILiveEventPublisher live,
    DoorLatchScheduler latches,
    LockdownReverter reverter,
    TimeProvider clock,
    ILogger<LockdownControl> logger)
{
    /// <summary>Starts the plan; false when it was already active (nothing changes).</summary>
    public async Task<bool> StartAsync(LockdownPlan plan, string actor, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        if (!plan.Start(actor, now)) return false;
        // A new run of an evacuation starts a new muster list.
        await db.Set<MusterMark>().Where(m => m.PlanId == plan.Id).ExecuteDeleteAsync(ct);
        await CommitAsync(plan, actor, now, ct);
        LogStarted(logger, plan.Id, plan.Kind, actor);
        return true;
    }

    /// <summary>Ends the plan; false when it was not active.</summary>
    public async Task<bool> EndAsync(LockdownPlan plan, string actor, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        if (!plan.End(actor, now)) return false;
        await CommitAsync(plan, actor, now, ct);
        LogEnded(logger, plan.Id, plan.Kind, actor);
        return true;
    }

    /// <summary>After an edit of an active plan: its doors' relays follow at once.</summary>
    public Task ApplyAsync(CancellationToken ct) => latches.RunDueAsync(ct);

    private async Task CommitAsync(LockdownPlan plan, string actor, Instant now, CancellationToken ct)
    {
        var doors = await DoorsOfAsync(db, plan, ct);
        var announcement = new Announcement(
            plan.IsActive ? LiveEventTypes.LockdownStarted : LiveEventTypes.LockdownEnded,
            plan.IsActive ? WebhookEventTypes.LockdownStarted : WebhookEventTypes.LockdownEnded,
            plan.SiteId, now,
            new LockdownAnnouncement(plan.Id, plan.Name, plan.Kind, plan.IsActive, actor, plan.EndsAt?.ToDateTimeOffset(), doors));
        await outbox.AddAsync(db, [announcement], ct);
        await db.SaveChangesAsync(ct);
        live.Publish([announcement]);
        reverter.Wake();
        await latches.RunDueAsync(ct);
    }

    /// <summary>The doors a plan covers now: every door of its site, its scopes' doors, or its listed doors that still exist.</summary>
    public static async Task<IReadOnlyList<Guid>> DoorsOfAsync(PortierDbContext db, LockdownPlan plan, CancellationToken ct)
    {
        var siteDoors = db.Set<Door>().AsNoTracking().Where(d => d.SiteId == plan.SiteId).Select(d => d.Id);
        switch (plan.Target)
        {
            case LockdownTarget.Site:
                return await siteDoors.ToListAsync(ct);
            case LockdownTarget.Scopes:
                var scopes = plan.ScopeIds;
                var inScopes = (await db.Set<AccessScope>().AsNoTracking().Where(s => s.SiteId == plan.SiteId && scopes.Contains(s.Id))
                    .Select(s => s.DoorIds).ToListAsync(ct)).SelectMany(d => d).ToHashSet();
                return [.. (await siteDoors.ToListAsync(ct)).Where(inScopes.Contains)];
            case LockdownTarget.Doors:
                var listed = plan.DoorIds;
                return await siteDoors.Where(d => listed.Contains(d)).ToListAsync(ct);
            default:
                throw new ArgumentOutOfRangeException(nameof(plan), plan.Target, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plan {PlanId} ({Kind}) started by {Actor}")]
    private static partial void LogStarted(ILogger logger, Guid planId, LockdownKind kind, string actor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plan {PlanId} ({Kind}) ended by {Actor}")]
    private static partial void LogEnded(ILogger logger, Guid planId, LockdownKind kind, string actor);
}
