using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Passback;

/// <summary>
/// Reads and moves presences. A move is one conditional UPDATE of the person's row (made first if missing,
/// a racing insert being harmless), so two attempts of one person racing for a refusing anti-passback
/// cannot both pass: the second finds the row already moved and changes nothing.
/// </summary>
public static class ZonePresences
{
    public static Task<ZonePresence> ReadAsync(PortierDbContext db, Guid personId, Guid zoneId, CancellationToken ct) =>
        db.Set<ZonePresenceRecord>().AsNoTracking()
            .Where(p => p.PersonId == personId && p.ZoneId == zoneId)
            .Select(p => new ZonePresence(p.State, p.LastEntryAt))
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// Records a passage in (<paramref name="entering"/>) or out at <paramref name="at"/>. Given a
    /// <paramref name="refusing"/> rule (an entry a hard or timed zone may refuse) it moves only a presence
    /// that still admits the entry; false when it did not.
    /// </summary>
    public static async Task<bool> PassAsync(
        PortierDbContext db, Guid siteId, Guid personId, Guid zoneId, PassbackRule? refusing, bool entering, Instant at, CancellationToken ct)
    {
        await EnsureRowAsync(db, siteId, personId, zoneId, ct);
        var row = db.Set<ZonePresenceRecord>().Where(p => p.PersonId == personId && p.ZoneId == zoneId);
        if (refusing?.Mode == PassbackMode.Hard) row = row.Where(p => p.State != PresenceState.Inside);
        if (refusing is { Mode: PassbackMode.Timed } timed)
        {
            var lockedSince = at - Duration.FromMinutes(timed.Minutes);
            row = row.Where(p => p.LastEntryAt == null || p.LastEntryAt <= lockedSince);
        }
        var moved = entering
            ? await row.ExecuteUpdateAsync(s => s
                .SetProperty(p => p.State, PresenceState.Inside).SetProperty(p => p.LastPassAt, at)
                .SetProperty(p => p.LastPassEntered, true).SetProperty(p => p.LastEntryAt, at), ct)
            : await row.ExecuteUpdateAsync(s => s
                .SetProperty(p => p.State, PresenceState.Outside).SetProperty(p => p.LastPassAt, at)
                .SetProperty(p => p.LastPassEntered, false), ct);
        return moved > 0;
    }

    /// <summary>Undoes a passage recorded at <paramref name="at"/> whose attempt failed later: the presence goes back to what was read before deciding.</summary>
    public static Task RestoreAsync(PortierDbContext db, Guid personId, Guid zoneId, bool entering, Instant at, ZonePresence before, CancellationToken ct) =>
        db.Set<ZonePresenceRecord>()
            .Where(p => p.PersonId == personId && p.ZoneId == zoneId && p.LastPassAt == at && p.LastPassEntered == entering)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, before.State).SetProperty(p => p.LastEntryAt, before.LastEntryAt), ct);

    private static async Task EnsureRowAsync(PortierDbContext db, Guid siteId, Guid personId, Guid zoneId, CancellationToken ct)
    {
        if (await db.Set<ZonePresenceRecord>().AnyAsync(p => p.PersonId == personId && p.ZoneId == zoneId, ct)) return;
        db.Add(new ZonePresenceRecord { PersonId = personId, ZoneId = zoneId, SiteId = siteId, State = PresenceState.Unknown });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another attempt of the same person made the row first: the conditional update decides between them.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
