using Microsoft.EntityFrameworkCore;
using Portier.Core.Policy;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Events;
using Portier.Server.Features.Grants;
using Portier.Server.Features.Invites;
using Portier.Server.Features.People;
using Portier.Server.Features.Qualifications;
using Portier.Server.Features.Scopes;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Decisions;

/// <summary>
/// Turns the rows a commit changed into <see cref="PolicyChange"/>s by reading just those rows, with the readers and
/// mappings <see cref="PolicyDefinitionsLoader"/> uses for every row (<see cref="PolicyRows"/>). Null when a row is of a
/// kind a change to one entity does not cover (a site, scope, zone, rule, calendar, plan, qualification, event hold or
/// invite), when a revoked card's number is shared with another credential, or when there are too many rows to be
/// worth it: rebuild in full.
/// </summary>
internal static class PolicyRowLoader
{
    /// <summary>Beyond this many rows in one commit (an import) a full rebuild is cheaper than loading them one by one.</summary>
    private const int MaxRows = 64;

    public static async Task<List<PolicyChange>?> LoadAsync(PortierDbContext db, IReadOnlyCollection<DefinitionRowChange> rows, CancellationToken ct)
    {
        if (rows.Count > MaxRows || rows.Any(r => r.Id is null || Rank(r.EntityType) < 0)) return null;
        var changes = new List<PolicyChange>();
        // People before what refers to them; a row changed twice is read once, as it is now.
        foreach (var row in rows.DistinctBy(r => (r.EntityType, r.Id)).OrderBy(r => Rank(r.EntityType)))
        {
            var change = await ChangeOfAsync(db, row.EntityType, row.Id!.Value, ct);
            if (change is null) return null;
            changes.Add(change);
        }
        return changes;
    }

    private static int Rank(Type type) =>
        type == typeof(Person) ? 0 : type == typeof(Door) ? 1 : type == typeof(Grant) ? 2 : type == typeof(Credential) ? 3 : -1;

    private static async Task<PolicyChange?> ChangeOfAsync(PortierDbContext db, Type type, Guid id, CancellationToken ct)
    {
        if (type == typeof(Person)) return await PersonChangeAsync(db, id, ct);
        if (type == typeof(Grant))
            return await new PolicyRows(db).GrantsAsync(ct, only: id) is [var grant] ? new GrantChanged(grant) : new GrantRemoved(id);
        if (type == typeof(Door))
        {
            if (await db.Set<Door>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) is not { } door) return new DoorRemoved(id);
            var scopes = await db.Set<AccessScope>().AsNoTracking().Where(s => s.DoorIds.Contains(id)).Select(s => s.Id).ToListAsync(ct);
            return new DoorChanged(PolicyDefinitionsLoader.ToDefinition(door, scopes));
        }
        return await CredentialChangeAsync(db, id, ct);
    }

    private static async Task<PolicyChange> PersonChangeAsync(PortierDbContext db, Guid id, CancellationToken ct)
    {
        var tags = (await db.Set<EventAccessHold>().AsNoTracking().Where(h => h.PersonId == id && h.Tag != null).Select(h => h.Tag!).ToListAsync(ct))
            .ToLookup(_ => id);
        var held = (await db.Set<PersonQualification>().AsNoTracking().Where(h => h.PersonId == id)
                .Select(h => new HeldQualification(h.QualificationId, null, h.ExpiresAt)).ToListAsync(ct))
            .ToLookup(_ => id);
        return await new PolicyRows(db).PeopleAsync(tags, held, ct, only: id) is [var person] ? new PersonChanged(person) : new PersonRemoved(id);
    }

    private static async Task<PolicyChange?> CredentialChangeAsync(PortierDbContext db, Guid id, CancellationToken ct)
    {
        var invites = new Dictionary<Guid, InviteConstraints?>();
        if (await db.Set<InviteCredential>().AsNoTracking().Where(c => c.CredentialId == id).Select(c => c.AllowedDoorIds).FirstOrDefaultAsync(ct) is { } allowed)
        {
            var existing = await db.Set<Door>().AsNoTracking().Where(d => allowed.Contains(d.Id)).Select(d => d.Id).ToListAsync(ct);
            invites[id] = PolicyDefinitionsLoader.Constrain(allowed, existing.Contains);
        }
        // Gone, or revoked with no number to keep: not in the snapshot.
        if (await new PolicyRows(db).CredentialsAsync(invites, ct, only: id) is not [var credential]) return new CredentialRemoved(id);
        if (!credential.Revoked) return new CredentialChanged(credential);
        // A revoked card keeps its number in the snapshot unless another credential has it: which one then is the full load's choice.
        var row = await db.Set<Credential>().AsNoTracking().Where(c => c.Id == id).Select(c => new { c.SiteId, c.Kind }).FirstAsync(ct);
        var shared = await db.Set<Credential>().AsNoTracking()
            .AnyAsync(c => c.Id != id && c.SiteId == row.SiteId && c.Kind == row.Kind && (c.Value == credential.Value || c.ActiveKey == credential.Value), ct);
        return shared ? null : new CredentialChanged(credential);
    }
}
