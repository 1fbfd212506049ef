using Microsoft.EntityFrameworkCore;
using Portier.Core.Calendars;
using Portier.Core.Policy;
using Portier.Server.Features.Calendars;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Events;
using Portier.Server.Features.Geofences;
using Portier.Server.Features.Lockdowns;
using Portier.Server.Features.Qualifications;
using Portier.Server.Features.Rules;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Decisions;

/// <summary>Reads every policy row and maps it onto the engine's definitions: the one path into a snapshot.</summary>
public static class PolicyDefinitionsLoader
{
    public static async Task<PolicyDefinitions> LoadAsync(PortierDbContext db, CancellationToken ct)
    {
        var sites = await db.Set<Site>().AsNoTracking().ToListAsync(ct);
        var doors = await db.Set<Door>().AsNoTracking().ToListAsync(ct);
        var scopes = await db.Set<AccessScope>().AsNoTracking().ToListAsync(ct);
        var zones = await db.Set<Zone>().AsNoTracking().ToListAsync(ct);
        var activePlans = await db.Set<LockdownPlan>().AsNoTracking().Where(p => p.StartedAt != null).ToListAsync(ct);
        var calendars = await db.Set<HolidayCalendar>().AsNoTracking().ToListAsync(ct);
        var qualifications = await db.Set<Qualification>().AsNoTracking().ToListAsync(ct);
        var heldQualifications = (await db.Set<PersonQualification>().AsNoTracking()
                .Select(h => new { h.PersonId, h.QualificationId, h.ExpiresAt }).ToListAsync(ct))
            // The grant instant is a record of when it was earned, not a start: a held qualification counts until it expires
            // (grants never lie in the future), so an explanation for earlier the same day does not call it missing.
            .ToLookup(h => h.PersonId, h => new HeldQualification(h.QualificationId, null, h.ExpiresAt));
        // Temporary authorizations held for event windows join the person's tags without touching synced or custom tags.
        var heldTags = (await db.Set<EventAccessHold>().AsNoTracking().Where(h => h.Tag != null).Select(h => new { h.PersonId, h.Tag }).ToListAsync(ct))
            .ToLookup(h => h.PersonId, h => h.Tag!);

        var inviteDoors = await db.Set<Invites.InviteCredential>().AsNoTracking().Where(c => c.CredentialId != null)
            .Select(c => new { CredentialId = c.CredentialId!.Value, c.AllowedDoorIds }).ToListAsync(ct);
        var doorIds = doors.Select(d => d.Id).ToHashSet();
        var constraints = inviteDoors.ToDictionary(c => c.CredentialId, c => Constrain(c.AllowedDoorIds, doorIds.Contains));

        var scopesOfDoor = scopes
            .SelectMany(s => s.DoorIds.Select(d => (Door: d, Scope: s.Id)))
            .ToLookup(p => p.Door, p => p.Scope);

        // People, their cards and grants are most of the rows: read with a plain data reader, not as entities.
        var (people, grants, credentials) = await new PolicyRows(db).ReadAsync(heldTags, heldQualifications, constraints, ct);

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
            People = people,
            Grants = grants,
            Credentials = credentials,
            // A deleted door or scope drops out of an active plan rather than break the snapshot.
            Lockdowns = activePlans.Select(p => p.ToDefinition(doorIds, scopes.Select(s => s.Id).ToHashSet())).ToList(),
            Qualifications = [.. qualifications.Select(q => new QualificationDefinition(q.Id, q.Name))],
            Calendars = [.. calendars.Select(c => new CalendarDefinition(c.Id, c.Name, c.SiteId) { Entries = [.. c.Entries.Select(CalendarEntryRequest.ToCore)] })],
        };
    }

    /// <summary>
    /// Deleted doors drop out of an invite credential's list; one left with none of its doors opens
    /// nothing (null), since an empty list would mean every point of entry.
    /// </summary>
    internal static InviteConstraints? Constrain(List<Guid> allowed, Func<Guid, bool> doorExists)
    {
        var kept = allowed.Where(doorExists).ToList();
        return kept.Count == 0 && allowed.Count > 0 ? null : new InviteConstraints(kept);
    }

    private static SiteDefinition ToDefinition(Site s) =>
        new(s.Id, s.TimeZone, s.Rules.ToCore()) { Geofence = s.Geofence.Enabled ? s.Geofence.ToCore() : null };

    internal static DoorDefinition ToDefinition(Door d, List<Guid> scopeIds) =>
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

    public static RuleSet ToCore(this AccessRulesData rules) =>
        new((rules.PersonTypeRules ?? []).Select(r => new PersonTypeRule(r.PersonType, r.Statuses ?? [])).ToList(),
            rules.AllowedTags ?? [],
            TimeBlockData.ToWeeklyHours(rules.Hours)) { HolidaysApply = rules.HolidaysApply ?? true };

    public static GeofenceDefinition ToCore(this GeofenceData g) =>
        new(g.Latitude, g.Longitude, g.RadiusMeters, g.RequiredAccuracyMeters, g.AccuracyBufferMeters, g.Enabled);
}
