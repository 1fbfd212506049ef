using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Invites;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Invites;

/// <summary>
/// The invite status changes made outside one operator's request: the first use at a gate and the
/// expiry pass. Each commits the change, its <c>invite.*</c> webhook and its audit entry together;
/// nothing else writes an invite's status but <see cref="Invite.MoveTo"/>.
/// </summary>
public static class InviteTransitions
{
    /// <summary>
    /// The first use at a gate accepts a pending invite. Concurrent gates race on a conditional
    /// UPDATE (pending → accepted), so exactly one of them records the acceptance, its
    /// <c>invite.accepted</c> webhook and its audit entry. <paramref name="invite"/> is the invite
    /// as read before the use (tracked or not); it comes back accepted when this call accepted it.
    /// False when it was not pending any more.
    /// </summary>
    public static async Task<bool> AcceptOnFirstUseAsync(PortierDbContext db, WebhookOutbox outbox, Invite invite, Instant at, CancellationToken ct)
    {
        if (invite.Status != InviteStatus.Pending) return false;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var claimed = await db.Set<Invite>().Where(i => i.Id == invite.Id && i.Status == InviteStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, InviteStatus.Accepted).SetProperty(i => i.Approved, true).SetProperty(i => i.UpdatedAt, at), ct);
        if (claimed == 0) return false;
        // Tracked as it was read, then moved: the save writes the audit entry (pending → accepted) as any change does.
        if (db.Entry(invite).State == EntityState.Detached) db.Attach(invite);
        invite.MoveTo(InviteStatus.Accepted, at);
        await outbox.AddAsync(db, [InviteWebhooks.Moved(invite, at)!], ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Expires up to <paramref name="max"/> live invites whose window ended by <paramref name="now"/>,
    /// oldest first, with their <c>invite.expired</c> webhooks and audit entries in one save.
    /// Answers how many expired; fewer than <paramref name="max"/> means none are left.
    /// </summary>
    public static async Task<int> ExpireDueAsync(PortierDbContext db, WebhookOutbox outbox, Instant now, int max, CancellationToken ct)
    {
        var due = await db.Set<Invite>()
            .Where(i => (i.Status == InviteStatus.Draft || i.Status == InviteStatus.Pending || i.Status == InviteStatus.Accepted) && i.ValidUntil <= now)
            .OrderBy(i => i.ValidUntil).ThenBy(i => i.Id).Take(max).ToListAsync(ct);
        foreach (var invite in due) invite.MoveTo(InviteStatus.Expired, now);
        await outbox.AddAsync(db, [.. due.Select(i => InviteWebhooks.Moved(i, now)!)], ct);
        await db.SaveChangesAsync(ct);
        return due.Count;
    }
}
