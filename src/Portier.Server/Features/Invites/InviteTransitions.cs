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
        if (!await ClaimAsync(db, invite, InviteStatus.Accepted, at, ct)) return false;
        await outbox.AddAsync(db, [InviteWebhooks.Moved(invite, at)!], ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Expires up to <paramref name="max"/> live invites whose window ended by <paramref name="now"/>,
    /// oldest first, with their <c>invite.expired</c> webhooks and audit entries in one commit. Each
    /// invite is claimed with a conditional UPDATE, so passes running at once (two nodes, or a pass
    /// started while another runs) expire it once. Answers how many this call expired.
    /// </summary>
    public static async Task<int> ExpireDueAsync(PortierDbContext db, WebhookOutbox outbox, Instant now, int max, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var due = await db.Set<Invite>().AsNoTracking()
            .Where(i => (i.Status == InviteStatus.Draft || i.Status == InviteStatus.Pending || i.Status == InviteStatus.Accepted) && i.ValidUntil <= now)
            .OrderBy(i => i.ValidUntil).ThenBy(i => i.Id).Take(max).ToListAsync(ct);
        var expired = new List<Invite>(due.Count);
        foreach (var invite in due)
            if (await ClaimAsync(db, invite, InviteStatus.Expired, now, ct)) expired.Add(invite);
        await outbox.AddAsync(db, [.. expired.Select(i => InviteWebhooks.Moved(i, now)!)], ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return expired.Count;
    }

    /// <summary>
    /// Moves the invite from the status it was read in to <paramref name="to"/> only if nobody moved it
    /// since (a conditional UPDATE inside the caller's transaction), then applies the same move to the
    /// tracked invite through <see cref="Invite.MoveTo"/>, so the save writes its audit entry as any change does.
    /// </summary>
    private static async Task<bool> ClaimAsync(PortierDbContext db, Invite invite, InviteStatus to, Instant at, CancellationToken ct)
    {
        var from = invite.Status;
        if (InviteLifecycle.CheckMove(from, to) is not null) return false;
        var claimed = await db.Set<Invite>().Where(i => i.Id == invite.Id && i.Status == from)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, to).SetProperty(i => i.UpdatedAt, at), ct);
        if (claimed == 0) return false;
        if (db.Entry(invite).State == EntityState.Detached) db.Attach(invite);
        invite.MoveTo(to, at);
        return true;
    }
}
