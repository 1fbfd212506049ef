using Portier.Core.Model;
using Portier.Core.Policy;

namespace Portier.Core.Bundles;

/// <summary>A door as one controller serves it: the settings a bundle carries beyond the policy.</summary>
public sealed record ControllerDoor(Guid DoorId, DoorFailMode FailMode, OfflineLiveFacts OfflineLiveFacts, IReadOnlyList<BundleReader> Readers);

/// <summary>Everything a bundle is cut for: which controller, which of the site's doors, and with which keys and horizon.</summary>
/// <remarks><see cref="CredentialUses"/>: uses so far of credentials with a use limit (missing = none), so the bundle carries what remains.</remarks>
public sealed record ControllerBundleSpec(Guid SiteId, Guid DeviceId, IReadOnlyList<ControllerDoor> Doors, int OfflineHorizonMinutes, byte[] CredentialKey)
{
    public IReadOnlyDictionary<Guid, int>? CredentialUses { get; init; }
}

/// <summary>
/// Cuts a full bundle for one controller out of the server's policy definitions: its site, its
/// doors with their scopes and zones, everyone known at the site with the credentials a controller
/// can check offline (hashed), and the grants that reach one of its doors.
/// </summary>
/// <remarks>
/// Grants keep only the doors and scopes of this controller; a grant left reaching none of them is
/// not carried. An invite credential whose doors all belong to other controllers is not carried
/// either (offline it is refused as unknown rather than as the wrong point of entry).
/// </remarks>
public static class BundleBuilder
{
    public static BundleBody Build(PolicyDefinitions definitions, ControllerBundleSpec spec, long version, DateTimeOffset issuedAt) =>
        Build(definitions, PrepareSite(definitions, spec.SiteId, spec.CredentialKey, spec.CredentialUses), spec, version, issuedAt);

    /// <summary>
    /// The part of every bundle of a site that does not depend on the controller (its people and their
    /// hashed credentials), computed once and shared by all the site's controllers.
    /// </summary>
    public static SiteBundleParts PrepareSite(PolicyDefinitions definitions, Guid siteId, byte[] credentialKey, IReadOnlyDictionary<Guid, int>? credentialUses)
    {
        var site = definitions.Sites.FirstOrDefault(s => s.Id == siteId)
            ?? throw new PolicyDefinitionException($"Site {siteId} is not in the definitions.");
        var people = definitions.People.Where(p => p.SiteId is null || p.SiteId == siteId).ToList();
        var personIds = people.Select(p => p.Id).ToHashSet();
        return new SiteBundleParts(
            site,
            [.. people.Select(p => new BundlePerson(p.Id, p.PersonType, p.MembershipStatus, [.. p.SyncedTags, .. p.CustomTags], p.AccessEnabled, p.Blocklisted)
            {
                Qualifications = p.Qualifications.Count == 0 ? null
                    : [.. p.Qualifications.Select(q => new BundleQualification(q.QualificationId, q.From?.ToDateTimeOffset(), q.Until?.ToDateTimeOffset()))],
            })],
            personIds,
            [.. definitions.Credentials
                .Where(c => personIds.Contains(c.PersonId) && CredentialHashing.CarriedOffline(c.Kind))
                .Select(c => (c.Invite, ToWire(c, credentialKey, credentialUses)))]);
    }

    /// <summary>A controller's full bundle from its site's shared parts (<see cref="PrepareSite"/>, with the same keys and uses as <paramref name="spec"/>).</summary>
    public static BundleBody Build(PolicyDefinitions definitions, SiteBundleParts siteParts, ControllerBundleSpec spec, long version, DateTimeOffset issuedAt)
    {
        if (siteParts.Site.Id != spec.SiteId) throw new ArgumentException("The shared parts are another site's.", nameof(siteParts));
        var site = siteParts.Site;
        var settings = spec.Doors.ToDictionary(d => d.DoorId);
        var doors = definitions.Doors.Where(d => d.SiteId == spec.SiteId && settings.ContainsKey(d.Id)).ToList();
        var doorIds = doors.Select(d => d.Id).ToHashSet();
        var scopeIds = doors.SelectMany(d => d.ScopeIds).ToHashSet();
        var zoneIds = doors.Where(d => d.ZoneId.HasValue).Select(d => d.ZoneId!.Value).ToHashSet();

        return new BundleBody
        {
            SiteId = spec.SiteId,
            DeviceId = spec.DeviceId,
            Version = version,
            IssuedAt = issuedAt,
            Site = new BundleSite(site.Id, site.TimeZoneId, BundleHours.ToWire(site.Rules), spec.OfflineHorizonMinutes)
            {
                Calendar = CalendarOf(definitions, site.Id),
            },
            Doors = [.. doors.Select(d => ToWire(d, settings[d.Id], scopeIds))],
            Scopes = [.. definitions.Scopes.Where(s => scopeIds.Contains(s.Id)).Select(s => new BundleScope(s.Id, s.RuleOverride is null ? null : BundleHours.ToWire(s.RuleOverride))
            {
                HolidaysApply = s.HolidaysApply ? null : false,
                RequiredQualifications = s.RequiredQualificationIds.Count == 0 ? null : s.RequiredQualificationIds,
            })],
            Zones = [.. definitions.Zones.Where(z => zoneIds.Contains(z.Id)).Select(z => new BundleZone(z.Id, z.RequiredPersonTypes, z.RequiredTags, z.Capacity,
                BundleNames.PassbackOf(z.Passback), z.Passback.Mode == PassbackMode.Timed ? z.Passback.Minutes : null))],
            People = siteParts.People,
            Grants = [.. definitions.Grants
                .Where(g => g.SiteId == spec.SiteId && siteParts.PersonIds.Contains(g.PersonId))
                .Select(g => ToWire(g, doorIds, scopeIds))
                .OfType<BundleGrant>()],
            Credentials = [.. siteParts.Credentials.Select(c => ForDoors(c.Invite, c.Wire, doorIds)).OfType<BundleCredential>()],
            Lockdowns = [.. definitions.Lockdowns
                .Where(l => l.SiteId == spec.SiteId)
                .Select(l => ToWire(l, doorIds, scopeIds, siteParts.PersonIds))
                .OfType<BundleLockdown>()],
        };
    }

    /// <summary>A plan keeps only this controller's doors and scopes and the site's people; one reaching none of its doors is not carried.</summary>
    private static BundleLockdown? ToWire(LockdownDefinition plan, HashSet<Guid> doorIds, HashSet<Guid> scopeIds, IReadOnlySet<Guid> personIds)
    {
        var doors = plan.DoorIds.Where(doorIds.Contains).ToList();
        var scopes = plan.ScopeIds.Where(scopeIds.Contains).ToList();
        if (!plan.SiteWide && doors.Count == 0 && scopes.Count == 0) return null;
        return new BundleLockdown
        {
            Id = plan.Id,
            Kind = BundleNames.Of(plan.Kind),
            Rank = plan.Rank,
            SiteWide = plan.SiteWide,
            ScopeIds = scopes,
            DoorIds = doors,
            ResponderTypes = plan.ResponderPersonTypes,
            ResponderTags = plan.ResponderTags,
            ResponderPeople = [.. plan.ResponderPersonIds.Where(personIds.Contains)],
        };
    }

    /// <summary>Every entry of the calendars reaching the site (shared and its own); null when there are none.</summary>
    private static List<BundleCalendarEntry>? CalendarOf(PolicyDefinitions definitions, Guid siteId)
    {
        List<BundleCalendarEntry> entries = [.. definitions.Calendars.Where(c => c.SiteId is null || c.SiteId == siteId).SelectMany(c => c.Entries).Select(BundleCalendar.ToWire)];
        return entries.Count == 0 ? null : entries;
    }

    private static BundleDoor ToWire(DoorDefinition door, ControllerDoor settings, HashSet<Guid> scopeIds) => new()
    {
        Id = door.Id,
        ZoneId = door.ZoneId,
        Direction = BundleNames.Of(door.Direction),
        HoldSeconds = (int)door.HoldTime.TotalSeconds,
        BlockAllAccess = door.BlockAllAccess,
        Maintenance = BundleNames.Of(door.Maintenance),
        Override = door.Override is { } running ? new BundleOverride(BundleNames.Of(running.Mode), running.Until.ToDateTimeOffset()) : null,
        RuleOverride = door.RuleOverride is null ? null : BundleHours.ToWire(door.RuleOverride),
        ScopeIds = [.. door.ScopeIds.Where(scopeIds.Contains)],
        PointOfEntry = door.IsPointOfEntry,
        FailMode = BundleNames.Of(settings.FailMode),
        OfflineLiveFacts = BundleNames.Of(settings.OfflineLiveFacts),
        Readers = settings.Readers,
        HolidaysApply = door.HolidaysApply ? null : false,
        TwoPersonSeconds = door.TwoPersonWindow is { } window ? (int)window.TotalSeconds : null,
        RequiredQualifications = door.RequiredQualificationIds.Count == 0 ? null : door.RequiredQualificationIds,
    };

    private static BundleGrant? ToWire(GrantDefinition grant, HashSet<Guid> doorIds, HashSet<Guid> scopeIds)
    {
        var doors = grant.DoorIds.Where(doorIds.Contains).ToList();
        var scopes = grant.ScopeIds.Where(scopeIds.Contains).ToList();
        if (!grant.SiteWide && doors.Count == 0 && scopes.Count == 0) return null;
        return new BundleGrant
        {
            Id = grant.Id,
            PersonId = grant.PersonId,
            SiteWide = grant.SiteWide,
            DoorIds = doors,
            ScopeIds = scopes,
            Hours = grant.Hours is null ? null : BundleHours.ToWire(grant.Hours),
            ValidFrom = grant.ValidFrom?.ToDateTimeOffset(),
            ValidUntil = grant.ValidUntil?.ToDateTimeOffset(),
            HolidaysApply = grant.HolidaysApply ? null : false,
        };
    }

    private static BundleCredential ToWire(CredentialDefinition credential, byte[] credentialKey, IReadOnlyDictionary<Guid, int>? uses) => new()
    {
        Id = credential.Id,
        PersonId = credential.PersonId,
        Kind = BundleNames.Of(credential.Kind),
        Hash = CredentialHashing.Hash(credentialKey, credential.Kind, credential.Value),
        ValidFrom = credential.ValidFrom?.ToDateTimeOffset(),
        ValidUntil = credential.ValidUntil?.ToDateTimeOffset(),
        RemainingUses = credential.MaxUses is { } max ? Math.Max(0, max - (uses?.GetValueOrDefault(credential.Id) ?? 0)) : null,
        Revoked = credential.Revoked,
    };

    /// <summary>An invite credential keeps only this controller's doors, and is left out when all of its doors are other controllers'.</summary>
    private static BundleCredential? ForDoors(InviteConstraints? invite, BundleCredential credential, HashSet<Guid> doorIds)
    {
        if (invite is null) return credential;
        IReadOnlyList<Guid> inviteDoors = [.. invite.AllowedDoorIds.Where(doorIds.Contains)];
        if (invite.AllowedDoorIds.Count > 0 && inviteDoors.Count == 0) return null;
        return credential with { InviteDoorIds = inviteDoors };
    }
}

/// <summary>What every controller of one site shares in its bundle: see <see cref="BundleBuilder.PrepareSite"/>.</summary>
public sealed record SiteBundleParts(
    SiteDefinition Site,
    IReadOnlyList<BundlePerson> People,
    IReadOnlySet<Guid> PersonIds,
    IReadOnlyList<(InviteConstraints? Invite, BundleCredential Wire)> Credentials);
