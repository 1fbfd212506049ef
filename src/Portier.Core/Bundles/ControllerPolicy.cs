using System.Diagnostics.CodeAnalysis;
using NodaTime;
using Portier.Core.Doors;
using Portier.Core.Calendars;
using Portier.Core.Model;
using Portier.Core.Policy;

namespace Portier.Core.Bundles;

/// <summary>
/// What a controller holds: its last good bundle, merged from a full bundle and the deltas after it,
/// and the snapshot compiled from it with the same compiler the server uses. Immutable: applying a
/// bundle gives a new policy, and a refused bundle leaves the old one in force.
/// </summary>
public sealed class ControllerPolicy
{
    private ControllerPolicy(BundleBody body, PolicySnapshot snapshot, Dictionary<Guid, BundleDoor> doors)
    {
        Body = body;
        Snapshot = snapshot;
        Doors = doors;
    }

    /// <summary>The merged full form (<see cref="BundleBody.BaseVersion"/> null) of the version in force.</summary>
    public BundleBody Body { get; }
    public PolicySnapshot Snapshot { get; }
    public IReadOnlyDictionary<Guid, BundleDoor> Doors { get; }
    public long Version => Body.Version;
    public BundleSite Site => Body.Site!;
    public Duration OfflineHorizon => Duration.FromMinutes(Site.OfflineHorizonMinutes);

    /// <summary>
    /// Applies a received bundle to <paramref name="current"/> (null = the controller holds none yet).
    /// Refused, with a short reason for the log: a bundle for another site or controller, a version not
    /// newer than the one in force, a delta for another base version, a full bundle without its site,
    /// or a result the compiler rejects (a truncated delta leaves references dangling).
    /// </summary>
    public static bool TryApply(ControllerPolicy? current, BundleBody incoming, Guid siteId, Guid deviceId,
        [NotNullWhen(true)] out ControllerPolicy? applied, out string error)
    {
        applied = null;
        error = "";
        if (incoming.SiteId != siteId || incoming.DeviceId != deviceId)
            error = $"bundle is for controller {incoming.DeviceId} at site {incoming.SiteId}";
        else if (current is not null && incoming.Version <= current.Version)
            error = $"version {incoming.Version} is not newer than {current.Version}";
        else if (incoming.IsDelta && (current is null || current.Version != incoming.BaseVersion))
            error = $"delta from version {incoming.BaseVersion} does not apply to {(current is null ? "no bundle" : $"version {current.Version}")}";
        else if (!incoming.IsDelta && incoming.Site is null)
            error = "full bundle without its site";
        if (error.Length > 0) return false;

        var merged = incoming.IsDelta ? Merge(current!.Body, incoming) : incoming;
        try
        {
            foreach (var door in merged.Doors ?? [])
                foreach (var reader in door.Readers) EdgeDecisions.Passing(door, reader);
            var snapshot = PolicySnapshot.Compile(ToDefinitions(merged));
            applied = new ControllerPolicy(merged, snapshot, merged.Doors!.ToDictionary(d => d.Id));
            return true;
        }
        catch (Exception e) when (e is PolicyDefinitionException or FormatException or ArgumentException)
        {
            error = $"bundle does not compile: {e.Message}";
            return false;
        }
    }

    /// <summary>The door and direction a reader serves; null when this controller has no such reader.</summary>
    public (BundleDoor Door, BundleReader Reader)? FindReader(string readerId)
    {
        foreach (var door in Body.Doors!)
            foreach (var reader in door.Readers)
                if (reader.Id == readerId) return (door, reader);
        return null;
    }

    private static BundleBody Merge(BundleBody full, BundleBody delta) => full with
    {
        Version = delta.Version,
        IssuedAt = delta.IssuedAt,
        Site = delta.Site ?? full.Site,
        Doors = Upsert(full.Doors, delta.Doors, delta.RemovedDoors, d => d.Id),
        Scopes = Upsert(full.Scopes, delta.Scopes, delta.RemovedScopes, s => s.Id),
        Zones = Upsert(full.Zones, delta.Zones, delta.RemovedZones, z => z.Id),
        People = Upsert(full.People, delta.People, delta.RemovedPeople, p => p.Id),
        Grants = Upsert(full.Grants, delta.Grants, delta.RemovedGrants, g => g.Id),
        Credentials = Upsert(full.Credentials, delta.Credentials, delta.RemovedCredentials, c => c.Id),
        Lockdowns = Upsert(full.Lockdowns, delta.Lockdowns, delta.RemovedLockdowns, l => l.Id),
    };

    private static IReadOnlyList<T> Upsert<T>(IReadOnlyList<T>? held, IReadOnlyList<T>? changed, IReadOnlyList<Guid>? removed, Func<T, Guid> id)
    {
        if (changed is null && removed is null) return held ?? [];
        var byId = new Dictionary<Guid, T>();
        foreach (var item in held ?? []) byId[id(item)] = item;
        foreach (var gone in removed ?? []) byId.Remove(gone);
        foreach (var item in changed ?? []) byId[id(item)] = item;
        return [.. byId.Values];
    }

    /// <summary>The bundle as the compiler's input: everyone in it is known at its one site.</summary>
    public static PolicyDefinitions ToDefinitions(BundleBody body)
    {
        var site = body.Site ?? throw new FormatException("A full bundle carries its site.");
        return new PolicyDefinitions
        {
            Sites = [new SiteDefinition(site.Id, site.TimeZone, BundleHours.FromWire(site.Rules))],
            Doors = [.. (body.Doors ?? []).Select(d => new DoorDefinition(d.Id, site.Id)
            {
                ZoneId = d.ZoneId,
                Direction = BundleNames.DirectionOf(d.Direction) ?? throw new FormatException($"Door {d.Id} has direction '{d.Direction}'."),
                HoldTime = Duration.FromSeconds(d.HoldSeconds),
                BlockAllAccess = d.BlockAllAccess,
                Maintenance = BundleNames.MaintenanceOf(d.Maintenance) ?? throw new FormatException($"Door {d.Id} has maintenance '{d.Maintenance}'."),
                Override = d.Override is { } o
                    ? new DoorOverride(BundleNames.OverrideModeOf(o.Mode) ?? throw new FormatException($"Door {d.Id} has override '{o.Mode}'."), Instant.FromDateTimeOffset(o.Until))
                    : null,
                RuleOverride = d.RuleOverride is null ? null : BundleHours.FromWire(d.RuleOverride),
                ScopeIds = d.ScopeIds,
                IsPointOfEntry = d.PointOfEntry,
                HolidaysApply = d.HolidaysApply ?? true,
                TwoPersonWindow = d.TwoPersonSeconds is { } seconds ? Duration.FromSeconds(seconds) : null,
                RequiredQualificationIds = d.RequiredQualifications ?? [],
            })],
            Scopes = [.. (body.Scopes ?? []).Select(s => new ScopeDefinition(s.Id, site.Id)
            {
                RuleOverride = s.RuleOverride is null ? null : BundleHours.FromWire(s.RuleOverride),
                HolidaysApply = s.HolidaysApply ?? true,
                RequiredQualificationIds = s.RequiredQualifications ?? [],
            })],
            Zones = [.. (body.Zones ?? []).Select(z => new ZoneDefinition(z.Id, site.Id) { Capacity = z.Capacity, RequiredPersonTypes = z.PersonTypes, RequiredTags = z.Tags, Passback = BundleNames.PassbackOf(z) })],
            People = [.. (body.People ?? []).Select(p => new PersonDefinition(p.Id, p.Type, p.Status)
            {
                SiteId = site.Id,
                SyncedTags = p.Tags,
                AccessEnabled = p.AccessEnabled,
                Blocklisted = p.Blocklisted,
                Qualifications = [.. (p.Qualifications ?? []).Select(q => new HeldQualification(q.Id,
                    q.From is { } from ? Instant.FromDateTimeOffset(from) : null, q.Until is { } until ? Instant.FromDateTimeOffset(until) : null))],
            })],
            Grants = [.. (body.Grants ?? []).Select(g => new GrantDefinition(g.Id, g.PersonId, site.Id)
            {
                SiteWide = g.SiteWide,
                DoorIds = g.DoorIds,
                ScopeIds = g.ScopeIds,
                Hours = g.Hours is null ? null : BundleHours.FromWire(g.Hours),
                ValidFrom = g.ValidFrom is { } from ? Instant.FromDateTimeOffset(from) : null,
                ValidUntil = g.ValidUntil is { } until ? Instant.FromDateTimeOffset(until) : null,
                HolidaysApply = g.HolidaysApply ?? true,
            })],
            Credentials = [.. (body.Credentials ?? []).Select(c => new CredentialDefinition(c.Id, c.PersonId,
                BundleNames.CredentialKindOf(c.Kind) ?? throw new FormatException($"Credential {c.Id} has kind '{c.Kind}'."), c.Hash)
            {
                ValidFrom = c.ValidFrom is { } from ? Instant.FromDateTimeOffset(from) : null,
                ValidUntil = c.ValidUntil is { } until ? Instant.FromDateTimeOffset(until) : null,
                MaxUses = c.RemainingUses,
                Revoked = c.Revoked,
                Invite = c.InviteDoorIds is null ? null : new InviteConstraints(c.InviteDoorIds),
            })],
            Lockdowns = [.. (body.Lockdowns ?? []).Select(l => new LockdownDefinition(l.Id, site.Id,
                BundleNames.LockdownKindOf(l.Kind) ?? throw new FormatException($"Plan {l.Id} has kind '{l.Kind}'."), l.Rank)
            {
                SiteWide = l.SiteWide,
                ScopeIds = l.ScopeIds,
                DoorIds = l.DoorIds,
                ResponderPersonTypes = l.ResponderTypes,
                ResponderTags = l.ResponderTags,
                ResponderPersonIds = l.ResponderPeople,
            })],
            // One calendar holding every entry the bundle carries: the site's own and the shared ones alike.
            Calendars = site.Calendar is not { Count: > 0 } ? [] : [new CalendarDefinition(site.Id, "bundle", site.Id) { Entries = [.. site.Calendar.Select(BundleCalendar.FromWire)] }],
        };
    }
}
