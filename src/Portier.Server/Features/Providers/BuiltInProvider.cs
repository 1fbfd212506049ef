using Microsoft.EntityFrameworkCore;
using Portier.Core.EventPolicies;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Events;
using Portier.Server.Features.Grants;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Providers;

/// <summary>
/// The provider whose zones are Portier's own doors, scopes and zones. A grant gives each attendee a
/// temporary grant valid for [window start, window end) — to the door, to the scope, or for a zone
/// to every door leading into it — plus the policy's tag as a held tag. Its writes join the
/// caller's save, so a grant and its task's "executed" commit together; re-running a grant task
/// updates the same holds instead of adding new ones.
/// </summary>
public static class BuiltInProvider
{
    public static async Task<IReadOnlyList<(string ExternalId, string Name)>> ListZonesAsync(PortierDbContext db, Guid siteId, CancellationToken ct)
    {
        var doors = await db.Set<Door>().Where(d => d.SiteId == siteId).Select(d => new { d.Id, d.Name }).ToListAsync(ct);
        var scopes = await db.Set<AccessScope>().Where(s => s.SiteId == siteId).Select(s => new { s.Id, s.Name }).ToListAsync(ct);
        var zones = await db.Set<Zone>().Where(z => z.SiteId == siteId).Select(z => new { z.Id, z.Name }).ToListAsync(ct);
        return [.. doors.Select(d => ($"door:{d.Id}", $"Door: {d.Name}")),
            .. scopes.Select(s => ($"scope:{s.Id}", $"Scope: {s.Name}")),
            .. zones.Select(z => ($"zone:{z.Id}", $"Zone: {z.Name}"))];
    }

    public static async Task<ProviderResult> GrantAsync(PortierDbContext db, AccessTask task, ProviderZone zone, IReadOnlyList<Guid> people, CancellationToken ct)
    {
        var target = await ResolveAsync(db, task.SiteId, zone.ExternalId, ct);
        if (target is null)
            return new ProviderResult(new ProviderOutcome(false, AccessTaskFailure.ZoneRemoved, false),
                $"The zone '{zone.Name}' no longer exists at this site. Re-sync zones or pick another zone.");
        var holds = await db.Set<EventAccessHold>().Where(h => h.WindowId == task.WindowId && people.Contains(h.PersonId)).ToListAsync(ct);
        var grantIds = holds.Select(h => h.GrantId).ToList();
        var grants = await db.Set<Grant>().Where(g => grantIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, ct);
        foreach (var person in people)
        {
            var hold = holds.FirstOrDefault(h => h.PersonId == person);
            if (hold is null || !grants.TryGetValue(hold.GrantId, out var grant))
            {
                grant = new Grant { SiteId = task.SiteId, PersonId = person, Note = $"Event access window {task.WindowId}" };
                db.Add(grant);
                if (hold is not null) db.Remove(hold);
                hold = new EventAccessHold { SiteId = task.SiteId, WindowId = task.WindowId, PersonId = person, GrantId = grant.Id };
                db.Add(hold);
            }
            grant.DoorIds = target.Value.Doors;
            grant.ScopeIds = target.Value.Scopes;
            grant.ValidFrom = task.WindowStart;
            grant.ValidUntil = task.WindowEnd;
            hold.Tag = task.Tag;
            hold.ValidFrom = task.WindowStart;
            hold.ValidUntil = task.WindowEnd;
        }
        return ProviderResult.Ok($"Granted {people.Count} attendee(s) access to {zone.Name}.");
    }

    /// <summary>Removes the window's holds and grants (one person's, for a one-person revoke). Revoking twice is harmless.</summary>
    public static async Task<ProviderResult> RevokeAsync(PortierDbContext db, AccessTask task, CancellationToken ct)
    {
        var holds = await db.Set<EventAccessHold>()
            .Where(h => h.WindowId == task.WindowId && (task.PersonId == null || h.PersonId == task.PersonId)).ToListAsync(ct);
        var grantIds = holds.Select(h => h.GrantId).ToList();
        db.RemoveRange(await db.Set<Grant>().Where(g => grantIds.Contains(g.Id)).ToListAsync(ct));
        db.RemoveRange(holds);
        return ProviderResult.Ok($"Revoked access of {holds.Count} attendee(s).");
    }

    private static async Task<(List<Guid> Doors, List<Guid> Scopes)?> ResolveAsync(PortierDbContext db, Guid siteId, string externalId, CancellationToken ct)
    {
        var parts = externalId.Split(':', 2);
        if (parts.Length != 2 || !Guid.TryParse(parts[1], out var id)) return null;
        return parts[0] switch
        {
            "door" when await db.Set<Door>().AnyAsync(d => d.Id == id && d.SiteId == siteId, ct) => ([id], []),
            "scope" when await db.Set<AccessScope>().AnyAsync(s => s.Id == id && s.SiteId == siteId, ct) => ([], [id]),
            "zone" when await db.Set<Zone>().AnyAsync(z => z.Id == id && z.SiteId == siteId, ct) =>
                (await db.Set<Door>().Where(d => d.ZoneId == id).Select(d => d.Id).ToListAsync(ct), []),
            _ => null,
        };
    }

}
