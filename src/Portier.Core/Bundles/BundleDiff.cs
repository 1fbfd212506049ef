using System.Text.Json;

namespace Portier.Core.Bundles;

/// <summary>The delta that turns one full bundle into the next: changed and added records, and the ids of removed ones.</summary>
public static class BundleDiff
{
    /// <summary>Null when nothing a controller decides with has changed (the version need not move).</summary>
    public static BundleBody? Between(BundleBody held, BundleBody next)
    {
        var site = Same(held.Site, next.Site) ? null : next.Site;
        var (doors, removedDoors) = Changes(held.Doors, next.Doors, d => d.Id);
        var (scopes, removedScopes) = Changes(held.Scopes, next.Scopes, s => s.Id);
        var (zones, removedZones) = Changes(held.Zones, next.Zones, z => z.Id);
        var (people, removedPeople) = Changes(held.People, next.People, p => p.Id);
        var (grants, removedGrants) = Changes(held.Grants, next.Grants, g => g.Id);
        var (credentials, removedCredentials) = Changes(held.Credentials, next.Credentials, c => c.Id);
        var (lockdowns, removedLockdowns) = Changes(held.Lockdowns, next.Lockdowns, l => l.Id);
        if (site is null && doors is null && removedDoors is null && scopes is null && removedScopes is null && zones is null
            && removedZones is null && people is null && removedPeople is null && grants is null && removedGrants is null
            && credentials is null && removedCredentials is null && lockdowns is null && removedLockdowns is null)
            return null;
        return new BundleBody
        {
            SiteId = next.SiteId,
            DeviceId = next.DeviceId,
            Version = next.Version,
            BaseVersion = held.Version,
            IssuedAt = next.IssuedAt,
            Site = site,
            Doors = doors,
            Scopes = scopes,
            Zones = zones,
            People = people,
            Grants = grants,
            Credentials = credentials,
            Lockdowns = lockdowns,
            RemovedDoors = removedDoors,
            RemovedScopes = removedScopes,
            RemovedZones = removedZones,
            RemovedPeople = removedPeople,
            RemovedGrants = removedGrants,
            RemovedCredentials = removedCredentials,
            RemovedLockdowns = removedLockdowns,
        };
    }

    private static (IReadOnlyList<T>? Changed, IReadOnlyList<Guid>? Removed) Changes<T>(IReadOnlyList<T>? held, IReadOnlyList<T>? next, Func<T, Guid> id)
    {
        var before = new Dictionary<Guid, T>();
        foreach (var item in held ?? []) before[id(item)] = item;
        List<T>? changed = null;
        foreach (var item in next ?? [])
        {
            if (before.Remove(id(item), out var old) && Same(old, item)) continue;
            (changed ??= []).Add(item);
        }
        return (changed, before.Count == 0 ? null : [.. before.Keys]);
    }

    /// <summary>Records hold lists, which compare by reference; their wire form compares by content.</summary>
    private static bool Same<T>(T? a, T? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null
            && JsonSerializer.SerializeToUtf8Bytes(a, BundleCodec.Json).AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(b, BundleCodec.Json)));
}
