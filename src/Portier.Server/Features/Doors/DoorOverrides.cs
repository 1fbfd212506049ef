using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Doors;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Doors;

/// <summary>How a timed override stopped: an administrator ended it, or its end passed.</summary>
public enum OverrideEnd { Ended, Expired }

/// <summary>
/// What subscribers hear of a timed override: started (with its mode and end) or stopped
/// (<see cref="EndedBy"/> says how). Live <c>DoorOverrideChanged</c>; webhooks <c>door.override_started</c>
/// and <c>door.override_ended</c>.
/// </summary>
public sealed record DoorOverridePayload(Guid DoorId, DoorOverrideMode Mode, DateTimeOffset Until, bool Running, OverrideEnd? EndedBy, Guid? AdminId);

/// <summary>
/// Starts and ends timed overrides and clears those whose end has passed. Each change is saved with its
/// webhook events, streamed once saved, and handed to the latch scheduler, which commands the controller.
/// Decisions do not wait for any of this: the end is read from the instant, so a door reverts on time even
/// when no server ran at that moment; clearing the stored override only tidies up and tells subscribers.
/// </summary>
public sealed class DoorOverrides(WebhookOutbox outbox, ILiveEventPublisher live, TimeProvider clock)
{
    public async Task StartAsync(PortierDbContext db, Door door, DoorOverrideMode mode, Instant until, Guid? adminId, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        door.StartOverride(mode, until, adminId, now);
        await SaveAsync(db, [Announce(door.SiteId, new DoorOverridePayload(door.Id, mode, until.ToDateTimeOffset(), true, null, adminId), now)], ct);
    }

    /// <summary>Ends a running override now; false when none was running.</summary>
    public async Task<bool> EndAsync(PortierDbContext db, Door door, Guid? adminId, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        if (door.Override is not { } running || !running.IsActiveAt(now)) return false;
        door.ClearOverride();
        await SaveAsync(db, [Announce(door.SiteId, new DoorOverridePayload(door.Id, running.Mode, running.Until.ToDateTimeOffset(), false, OverrideEnd.Ended, adminId), now)], ct);
        return true;
    }

    /// <summary>Clears every stored override whose end has passed (also those that passed while no server ran) and says so.</summary>
    public async Task ClearExpiredAsync(PortierDbContext db, Instant now, CancellationToken ct)
    {
        var ended = await db.Set<Door>().Where(d => d.OverrideUntil != null && d.OverrideUntil <= now).ToListAsync(ct);
        if (ended.Count == 0) return;
        var announcements = new List<Announcement>();
        foreach (var door in ended)
        {
            var running = door.Override!.Value;
            door.ClearOverride();
            announcements.Add(Announce(door.SiteId, new DoorOverridePayload(door.Id, running.Mode, running.Until.ToDateTimeOffset(), false, OverrideEnd.Expired, null), running.Until));
        }
        await SaveAsync(db, announcements, ct);
    }

    private async Task SaveAsync(PortierDbContext db, List<Announcement> announcements, CancellationToken ct)
    {
        await outbox.AddAsync(db, announcements, ct);
        await db.SaveChangesAsync(ct);
        live.Publish(announcements);
    }

    private static Announcement Announce(Guid siteId, DoorOverridePayload payload, Instant at) => new(
        LiveEventTypes.DoorOverrideChanged, payload.Running ? WebhookEventTypes.DoorOverrideStarted : WebhookEventTypes.DoorOverrideEnded,
        siteId, at, payload, payload.DoorId);
}
