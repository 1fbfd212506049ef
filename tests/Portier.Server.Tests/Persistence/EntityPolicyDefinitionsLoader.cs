using Microsoft.EntityFrameworkCore;
using Portier.Core.Calendars;
using Portier.Core.Policy;
using Portier.Server.Features.Calendars;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Events;
using Portier.Server.Features.Geofences;
using Portier.Server.Features.Grants;
using Portier.Server.Features.Lockdowns;
using Portier.Server.Features.People;
using Portier.Server.Features.Qualifications;
using Portier.Server.Features.Rules;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Persistence;

using Portier.Server.Features.Decisions;

namespace Portier.Server.Tests.Persistence;

/// <summary>
/// The reference for <see cref="PolicyDefinitionsLoader"/>: every policy row materialized as an EF Core entity and
/// mapped with LINQ, as the server once loaded it. Slow at scale (the snapshot-rebuild benchmark measures it side by
/// side) but plainly right, so the data-reader loader must produce exactly what this does.
/// </summary>
public static class EntityPolicyDefinitionsLoader
{
    public static async Task<PolicyDefinitions> LoadAsync(PortierDbContext db, CancellationToken ct)
    {
        var sites = await db.Set<Site>().AsNoTracking().ToListAsync(ct);
        var doors = await db.Set<Door>().AsNoTracking().ToListAsync(ct);
        var scopes = await db.Set<AccessScope>().AsNoTracking().ToListAsync(ct);
        var zones = await db.Set<Zone>().AsNoTracking().ToListAsync(ct);
        var people = await db.Set<Person>().AsNoTracking().ToListAsync(ct);
        var grants = await db.Set<Grant>().AsNoTracking().ToListAsync(ct);
        var credentials = await db.Set<Credential>().AsNoTracking().ToListAsync(ct);
        var activePlans = await db.Set<LockdownPlan>().AsNoTracking().Where(p => p.StartedAt != null).ToListAsync(ct);
        var calendars = await db.Set<HolidayCalendar>().AsNoTracking().ToListAsync(ct);
        var qualifications = await db.Set<Qualification>().AsNoTracking().ToListAsync(ct);
        var heldQualifications = (await db.Set<PersonQualification>().AsNoTracking().ToListAsync(ct))
            // The grant instant is a record of when it was earned, not a start: a held qualification counts until it expires
            // (grants never lie in the future), so an explanation for earlier the same day does not call it missing.
            .ToLookup(h => h.PersonId, h => new HeldQualification(h.QualificationId, null, h.ExpiresAt));
        // Temporary authorizations held for event windows join the person's tags without touching synced or custom tags.
        var heldTags = (await db.Set<EventAccessHold>().AsNoTracking().Where(h => h.Tag != null).Select(h => new { h.PersonId, h.Tag }).ToListAsync(ct))
            .ToLookup(h => h.PersonId, h => h.Tag!);

        var inviteDoors = await db.Set<Portier.Server.Features.Invites.InviteCredential>().AsNoTracking().Where(c => c.CredentialId != null)
            .Select(c => new { CredentialId = c.CredentialId!.Value, c.AllowedDoorIds }).ToListAsync(ct);
        var doorIds = doors.Select(d => d.Id).ToHashSet();
        var constraints = inviteDoors.ToDictionary(c => c.CredentialId, c => Constrain(c.AllowedDoorIds));

        // Deleted doors drop out of an invite credential's list; one left with none of its doors opens
        // nothing (null), since an empty list would mean every point of entry.
        InviteConstraints? Constrain(List<Guid> allowed)
        {
            var kept = allowed.Where(doorIds.Contains).ToList();
            return kept.Count == 0 && allowed.Count > 0 ? null : new InviteConstraints(kept);
        }

        var scopesOfDoor = scopes
            .SelectMany(s => s.DoorIds.Select(d => (Door: d, Scope: s.Id)))
            .ToLookup(p => p.Door, p => p.Scope);
        var siteOfPerson = people.ToDictionary(p => p.Id, p => p.SiteId);

        return new PolicyDefinitions
        {
            Sites = sites.Select(ToDefinition).ToList(),
            Doors = doors.Select(d => ToDefinition(d, scopesOfDoor[d.Id].ToList())).ToList(),
            Scopes = scopes.Select(s => new ScopeDefinition(s.Id, s.SiteId)
            {
                RuleOverride = s.RuleOverride?.ToCore(),
                GeofenceOverride = s.GeofenceOverride?.ToCore(),
                HolidaysApply = s.HolidaysApply,
                RequiredQualificationIds = s.RequiredQualificationIds,
            }).ToList(),
            Zones = zones.Select(z => new ZoneDefinition(z.Id, z.SiteId)
            {
                Capacity = z.Capacity,
                RequiredPersonTypes = z.AdmittedPersonTypes,
                RequiredTags = z.AdmittedTags,
                Passback = z.PassbackRule,
            }).ToList(),
            People = people.Select(p => new PersonDefinition(p.Id, p.PersonType, p.MembershipStatus ?? "")
            {
                SiteId = p.SiteId,
                SyncedTags = p.SyncedTags,
                CustomTags = heldTags.Contains(p.Id) ? [.. p.CustomTags.Union(heldTags[p.Id])] : p.CustomTags,
                AccessEnabled = p.AccessEnabled,
                Blocklisted = p.Blocklisted,
                Qualifications = [.. heldQualifications[p.Id]],
            }).ToList(),
            Grants = grants.Where(g => siteOfPerson.ContainsKey(g.PersonId)).Select(g => new GrantDefinition(g.Id, g.PersonId, g.SiteId)
            {
                SiteWide = g.SiteWide,
                DoorIds = g.DoorIds,
                ScopeIds = g.ScopeIds,
                Hours = g.Hours.Count == 0 ? null : TimeBlockData.ToWeeklyHours(g.Hours),
                ValidFrom = g.ValidFrom,
                ValidUntil = g.ValidUntil,
                HolidaysApply = g.HolidaysApply,
            }).ToList(),
            Credentials = CredentialDefinitions(credentials, constraints),
            // A deleted door or scope drops out of an active plan rather than break the snapshot.
            Lockdowns = activePlans.Select(p => p.ToDefinition(doorIds, scopes.Select(s => s.Id).ToHashSet())).ToList(),
            Qualifications = [.. qualifications.Select(q => new QualificationDefinition(q.Id, q.Name))],
            Calendars = [.. calendars.Select(c => new CalendarDefinition(c.Id, c.Name, c.SiteId) { Entries = [.. c.Entries.Select(CalendarEntryRequest.ToCore)] })],
        };
    }

    /// <summary>
    /// An active credential is looked up by its active key (a card number, or a PIN's keyed hash).
    /// A revoked card stays in the snapshot, so presenting it answers credential_revoked, unless
    /// the same number has since been issued again.
    /// </summary>
    private static List<CredentialDefinition> CredentialDefinitions(List<Credential> credentials, Dictionary<Guid, InviteConstraints?> invites)
    {
        var active = credentials.Where(c => c.ActiveKey is not null).ToList();
        var taken = active.Select(c => (c.SiteId, c.Kind, c.ActiveKey!)).ToHashSet();
        var revoked = credentials
            .Where(c => c.ActiveKey is null && c.Value is not null && !taken.Contains((c.SiteId, c.Kind, c.Value)))
            .GroupBy(c => (c.SiteId, c.Kind, c.Value))
            .Select(g => g.MaxBy(c => c.RevokedAt)!);
        return active.Select(c => ToDefinition(c, c.ActiveKey!, invites))
            .Concat(revoked.Select(c => ToDefinition(c, c.Value!, invites)))
            .ToList();
    }

    /// <summary>An invite's credential carries its allowed points of entry, so it opens nothing else.</summary>
    private static CredentialDefinition ToDefinition(Credential c, string key, Dictionary<Guid, InviteConstraints?> invites)
    {
        var isInvite = invites.TryGetValue(c.Id, out var invite);
        return new(c.Id, c.PersonId, c.Kind, key)
        {
            ValidFrom = c.ValidFrom,
            ValidUntil = c.ValidUntil,
            MaxUses = c.MaxUses,
            Revoked = c.Revoked || (isInvite && invite is null),
            Invite = invite,
        };
    }

    private static SiteDefinition ToDefinition(Site s) =>
        new(s.Id, s.TimeZone, s.Rules.ToCore()) { Geofence = s.Geofence.Enabled ? s.Geofence.ToCore() : null };

    private static DoorDefinition ToDefinition(Door d, List<Guid> scopeIds) =>
        new(d.Id, d.SiteId)
        {
            ZoneId = d.ZoneId,
            Direction = d.Direction,
            HoldTime = NodaTime.Duration.FromSeconds(d.HoldTimeSeconds),
            BlockAllAccess = d.BlockAllAccess,
            Maintenance = d.MaintenanceMode,
            Override = d.Override,
            RuleOverride = d.RuleOverride?.ToCore(),
            GeofenceOverride = d.GeofenceOverride?.ToCore(),
            ScopeIds = scopeIds,
            IsPointOfEntry = d.IsPointOfEntry && d.PointOfEntryActive,
            HolidaysApply = d.HolidaysApply,
            TwoPersonWindow = d.TwoPersonWindowSeconds is { } seconds ? NodaTime.Duration.FromSeconds(seconds) : null,
            FirstArrival = d.FirstToArrive?.ToCore(),
            RequiredQualificationIds = d.RequiredQualificationIds,
        };
}
