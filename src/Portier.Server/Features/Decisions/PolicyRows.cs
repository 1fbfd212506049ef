using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Grants;
using Portier.Server.Features.People;
using Portier.Server.Features.Rules;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Decisions;

/// <summary>
/// The policy's large tables (people, credentials, grants) read straight into definitions with a plain
/// data reader, columns by ordinal: no entities, no change tracker, no intermediate lists. The site
/// filter the model puts on every query is applied here by hand, so a context that sees some sites
/// reads what the entity queries would.
/// </summary>
internal sealed class PolicyRows(PortierDbContext db)
{
    private static readonly HeldQualification[] NoQualifications = [];

    private readonly StoreReader _store = new(db);
    private readonly HashSet<Guid>? _visibleSites = db.SeesAllSites ? null : [.. db.VisibleSiteIds];

    private bool Visible(Guid siteId) => _visibleSites is null || _visibleSites.Contains(siteId);

    /// <summary>
    /// People, grants and credentials; on SQLite the three tables are read side by side, each on its own connection.
    /// Read apart (in time or by connection) they may not agree: a grant or credential whose person was not read,
    /// hidden by the site filter or written between the reads, is left out. A write between them also marks the
    /// snapshot stale, so the next rebuild reads it whole.
    /// </summary>
    public async Task<(List<PersonDefinition> People, List<GrantDefinition> Grants, List<CredentialDefinition> Credentials)> ReadAsync(
        ILookup<Guid, string> heldTags, ILookup<Guid, HeldQualification> heldQualifications, Dictionary<Guid, InviteConstraints?> invites,
        CancellationToken ct)
    {
        List<PersonDefinition> people;
        List<GrantDefinition> grants;
        List<CredentialDefinition> credentials;
        if (_store.SideBySide)
        {
            var (readPeople, readGrants, readCredentials) = (Task.Run(() => PeopleAsync(heldTags, heldQualifications, ct), ct),
                Task.Run(() => GrantsAsync(ct), ct), Task.Run(() => CredentialsAsync(invites, ct), ct));
            (people, grants, credentials) = (await readPeople, await readGrants, await readCredentials);
        }
        else
            (people, grants, credentials) = (await PeopleAsync(heldTags, heldQualifications, ct), await GrantsAsync(ct), await CredentialsAsync(invites, ct));

        var read = new HashSet<Guid>(people.Count);
        foreach (var person in people) read.Add(person.Id);
        grants.RemoveAll(g => !read.Contains(g.PersonId));
        credentials.RemoveAll(c => !read.Contains(c.PersonId));
        return (people, grants, credentials);
    }

    private static string Where(KeyEquals? key) => key is null ? "" : " WHERE " + key.Sql;

    /// <summary>Every person, or with <paramref name="only"/> that one person (none when they are gone).</summary>
    public async Task<List<PersonDefinition>> PeopleAsync(
        ILookup<Guid, string> heldTags, ILookup<Guid, HeldQualification> heldQualifications, CancellationToken ct, Guid? only = null)
    {
        var key = only is { } id ? StoreReader.Key<Person>(db, id) : null;
        var people = new List<PersonDefinition>();
        var sql = StoreReader.Select<Person>(db, nameof(Person.Id), nameof(Person.SiteId), nameof(Person.PersonType), nameof(Person.MembershipStatus),
            nameof(Person.SyncedTags), nameof(Person.CustomTags), nameof(Person.AccessEnabled), nameof(Person.Blocklisted)) + Where(key);
        await _store.ReadAsync(sql, row =>
        {
            var (id, siteId) = (row.Id(0), row.Id(1));
            if (!Visible(siteId)) return;
            var customTags = row.Strings(5);
            people.Add(new PersonDefinition(id, row.Text(2), row.NullableText(3) ?? "")
            {
                SiteId = siteId,
                SyncedTags = row.Strings(4),
                CustomTags = heldTags.Contains(id) ? [.. customTags.Union(heldTags[id])] : customTags,
                AccessEnabled = row.Flag(6),
                Blocklisted = row.Flag(7),
                Qualifications = heldQualifications.Contains(id) ? [.. heldQualifications[id]] : NoQualifications,
            });
        }, ct, key);
        return people;
    }

    /// <summary>Every grant, or with <paramref name="only"/> that grant alone (none when it is gone).</summary>
    public async Task<List<GrantDefinition>> GrantsAsync(CancellationToken ct, Guid? only = null)
    {
        var key = only is { } id ? StoreReader.Key<Grant>(db, id) : null;
        var grants = new List<GrantDefinition>();
        var sql = StoreReader.Select<Grant>(db, nameof(Grant.Id), nameof(Grant.PersonId), nameof(Grant.SiteId), nameof(Grant.SiteWide),
            nameof(Grant.DoorIds), nameof(Grant.ScopeIds), nameof(Grant.Hours), nameof(Grant.ValidFrom), nameof(Grant.ValidUntil), nameof(Grant.HolidaysApply)) + Where(key);
        await _store.ReadAsync(sql, row =>
        {
            var (id, personId, siteId) = (row.Id(0), row.Id(1), row.Id(2));
            if (!Visible(siteId)) return;
            var hours = row.Json<List<TimeBlockData>>(6);
            grants.Add(new GrantDefinition(id, personId, siteId)
            {
                SiteWide = row.Flag(3),
                DoorIds = row.Guids(4),
                ScopeIds = row.Guids(5),
                Hours = hours.Count == 0 ? null : TimeBlockData.ToWeeklyHours(hours),
                ValidFrom = row.NullableInstant(7),
                ValidUntil = row.NullableInstant(8),
                HolidaysApply = row.Flag(9),
            });
        }, ct, key);
        return grants;
    }

    /// <summary>
    /// An active credential is looked up by its active key (a card number, or a PIN's keyed hash).
    /// A revoked card stays in the snapshot, so presenting it answers credential_revoked, unless
    /// the same number has since been issued again (of several revoked, the last revoked counts).
    /// Revoked cards are few, so they are read first and only their numbers are checked against the active keys.
    /// With <paramref name="only"/>, that credential alone, as it would be read with every other (a revoked card is then
    /// read whether or not its number was issued again: the caller checks that).
    /// </summary>
    public async Task<List<CredentialDefinition>> CredentialsAsync(Dictionary<Guid, InviteConstraints?> invites, CancellationToken ct, Guid? only = null)
    {
        var key = only is { } id ? StoreReader.Key<Credential>(db, id) : null;
        var andKey = key is null ? "" : " AND " + key.Sql;
        var columns = new[]
        {
            nameof(Credential.Id), nameof(Credential.SiteId), nameof(Credential.PersonId), nameof(Credential.Kind), nameof(Credential.ValidFrom),
            nameof(Credential.ValidUntil), nameof(Credential.MaxUses), nameof(Credential.Revoked), nameof(Credential.ActiveKey), nameof(Credential.Value),
            nameof(Credential.RevokedAt),
        };
        var credentials = StoreTable.Of<Credential>(db);
        var (activeKey, value) = (credentials.Column(nameof(Credential.ActiveKey)), credentials.Column(nameof(Credential.Value)));

        var revoked = new List<(CredentialDefinition Definition, Guid SiteId, NodaTime.Instant? RevokedAt)>();
        await _store.ReadAsync(StoreReader.Select<Credential>(db, columns) + " WHERE " + activeKey + " IS NULL AND " + value + " IS NOT NULL" + andKey, row =>
        {
            var siteId = row.Id(1);
            if (Visible(siteId)) revoked.Add((Read(row, row.UniqueText(9)), siteId, row.NullableInstant(10)));
        }, ct, key);
        var revokedNumbers = revoked.Select(c => (c.SiteId, c.Definition.Kind, c.Definition.Value)).ToHashSet();
        var reissued = new HashSet<(Guid, CredentialKind, string)>();

        var definitions = new List<CredentialDefinition>();
        await _store.ReadAsync(StoreReader.Select<Credential>(db, columns) + " WHERE " + activeKey + " IS NOT NULL" + andKey, row =>
        {
            var siteId = row.Id(1);
            if (!Visible(siteId)) return;
            var definition = Read(row, row.UniqueText(8));
            definitions.Add(definition);
            if (revokedNumbers.Count > 0 && revokedNumbers.Contains((siteId, definition.Kind, definition.Value)))
                reissued.Add((siteId, definition.Kind, definition.Value));
        }, ct, key);

        definitions.AddRange(revoked
            .Where(c => !reissued.Contains((c.SiteId, c.Definition.Kind, c.Definition.Value)))
            .GroupBy(c => (c.SiteId, c.Definition.Kind, c.Definition.Value))
            .Select(g => g.MaxBy(c => c.RevokedAt).Definition));
        return definitions;

        // An invite's credential carries its allowed points of entry, so it opens nothing else.
        CredentialDefinition Read(StoreRow row, string key)
        {
            var id = row.Id(0);
            var isInvite = invites.TryGetValue(id, out var invite);
            return new CredentialDefinition(id, row.Id(2), Enum.Parse<CredentialKind>(row.Text(3)), key)
            {
                ValidFrom = row.NullableInstant(4),
                ValidUntil = row.NullableInstant(5),
                MaxUses = row.NullableInt(6),
                Revoked = row.Flag(7) || (isInvite && invite is null),
                Invite = invite,
            };
        }
    }
}
