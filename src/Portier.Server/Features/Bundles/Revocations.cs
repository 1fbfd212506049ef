using Portier.Core.Bundles;

namespace Portier.Server.Features.Bundles;

/// <summary>A revocation a delta carries: what it took away, and whose.</summary>
public sealed record Revocation(RevocationKind Kind, Guid SubjectId, Guid? PersonId);

/// <summary>
/// Reads off a delta what it takes away that the version before allowed: a credential revoked or
/// removed, a person disabled, blocklisted or removed, a grant removed or narrowed (fewer doors or
/// scopes, no longer site-wide, a shorter validity, or its own hours changed). Other changes that
/// may also refuse someone (a person's type, status or tags, a rule) are not listed.
/// </summary>
public static class Revocations
{
    public static List<Revocation> Carried(BundleBody held, BundleBody delta)
    {
        var found = new List<Revocation>();
        var credentials = (held.Credentials ?? []).ToDictionary(c => c.Id);
        foreach (var c in delta.Credentials ?? [])
            if (c.Revoked && credentials.TryGetValue(c.Id, out var before) && !before.Revoked)
                found.Add(new(RevocationKind.CredentialRevoked, c.Id, c.PersonId));
        foreach (var id in delta.RemovedCredentials ?? [])
            if (credentials.TryGetValue(id, out var before) && !before.Revoked)
                found.Add(new(RevocationKind.CredentialRemoved, id, before.PersonId));

        var people = (held.People ?? []).ToDictionary(p => p.Id);
        foreach (var p in delta.People ?? [])
        {
            if (!people.TryGetValue(p.Id, out var before)) continue;
            if (before.AccessEnabled && !p.AccessEnabled) found.Add(new(RevocationKind.PersonDisabled, p.Id, p.Id));
            if (!before.Blocklisted && p.Blocklisted) found.Add(new(RevocationKind.PersonBlocklisted, p.Id, p.Id));
        }
        foreach (var id in delta.RemovedPeople ?? [])
            if (people.ContainsKey(id)) found.Add(new(RevocationKind.PersonRemoved, id, id));

        var grants = (held.Grants ?? []).ToDictionary(g => g.Id);
        foreach (var g in delta.Grants ?? [])
            if (grants.TryGetValue(g.Id, out var before) && Narrowed(before, g))
                found.Add(new(RevocationKind.GrantNarrowed, g.Id, g.PersonId));
        foreach (var id in delta.RemovedGrants ?? [])
            if (grants.TryGetValue(id, out var before)) found.Add(new(RevocationKind.GrantRemoved, id, before.PersonId));
        return found;
    }

    private static bool Narrowed(BundleGrant before, BundleGrant after) =>
        (before.SiteWide && !after.SiteWide)
        || before.DoorIds.Except(after.DoorIds).Any()
        || before.ScopeIds.Except(after.ScopeIds).Any()
        || Later(after.ValidFrom, before.ValidFrom)
        || Earlier(after.ValidUntil, before.ValidUntil)
        || (after.Hours is not null && !SameHours(before.Hours, after.Hours));

    private static bool Later(DateTimeOffset? from, DateTimeOffset? before) => from is { } f && (before is null || f > before);

    private static bool Earlier(DateTimeOffset? until, DateTimeOffset? before) => until is { } u && (before is null || u < before);

    private static bool SameHours(IReadOnlyList<BundleBlock>? a, IReadOnlyList<BundleBlock>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b);
}
