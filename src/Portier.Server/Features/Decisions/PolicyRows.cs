using System.Data.Common;
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
    /// <summary>The people read, kept only when some are hidden: a grant of a hidden person is left out.</summary>
    private HashSet<Guid>? _people;

    private bool Visible(Guid siteId) => _visibleSites is null || _visibleSites.Contains(siteId);

    private static string Where(KeyEquals? key) => key is null ? "" : " WHERE " + key.Sql;

    /// <summary>Every person, or with <paramref name="only"/> that one person (none when they are gone).</summary>
    public async Task<List<PersonDefinition>> PeopleAsync(
        ILookup<Guid, string> heldTags, ILookup<Guid, HeldQualification> heldQualifications, CancellationToken ct, Guid? only = null)
    {
        var key = only is { } id ? StoreReader.Key<Person>(db, id) : null;
        var people = new List<PersonDefinition>();
        _people = _visibleSites is null ? null : [];
        var sql = StoreReader.Select<Person>(db, nameof(Person.Id), nameof(Person.SiteId), nameof(Person.PersonType), nameof(Person.MembershipStatus),
            nameof(Person.SyncedTags), nameof(Person.CustomTags), nameof(Person.AccessEnabled), nameof(Person.Blocklisted)) + Where(key);
        await _store.ReadAsync(sql, row =>
        {
            var (id, siteId) = (row.GetGuid(0), row.GetGuid(1));
            if (!Visible(siteId)) return;
            _people?.Add(id);
            var customTags = _store.Strings(row, 5);
            people.Add(new PersonDefinition(id, _store.Text(row, 2), _store.NullableText(row, 3) ?? "")
            {
                SiteId = siteId,
                SyncedTags = _store.Strings(row, 4),
                CustomTags = heldTags.Contains(id) ? [.. customTags.Union(heldTags[id])] : customTags,
                AccessEnabled = row.GetBoolean(6),
                Blocklisted = row.GetBoolean(7),
                Qualifications = heldQualifications.Contains(id) ? [.. heldQualifications[id]] : NoQualifications,
            });
        }, ct, key);
        return people;
    }

    /// <summary>Reads after <see cref="PeopleAsync"/>: a grant whose person was not read is left out. With <paramref name="only"/>, that grant alone.</summary>
    public async Task<List<GrantDefinition>> GrantsAsync(CancellationToken ct, Guid? only = null)
    {
        var key = only is { } id ? StoreReader.Key<Grant>(db, id) : null;
        var grants = new List<GrantDefinition>();
        var sql = StoreReader.Select<Grant>(db, nameof(Grant.Id), nameof(Grant.PersonId), nameof(Grant.SiteId), nameof(Grant.SiteWide),
            nameof(Grant.DoorIds), nameof(Grant.ScopeIds), nameof(Grant.Hours), nameof(Grant.ValidFrom), nameof(Grant.ValidUntil), nameof(Grant.HolidaysApply)) + Where(key);
        await _store.ReadAsync(sql, row =>
        {
            var (id, personId, siteId) = (row.GetGuid(0), row.GetGuid(1), row.GetGuid(2));
            // Without a site filter every grant's person exists (a foreign key that deletes grants with their person).
            if (!Visible(siteId) || _people?.Contains(personId) == false) return;
            var hours = JsonColumn.Deserialize<List<TimeBlockData>>(row.GetString(6));
            grants.Add(new GrantDefinition(id, personId, siteId)
            {
                SiteWide = row.GetBoolean(3),
                DoorIds = _store.Guids(row, 4),
                ScopeIds = _store.Guids(row, 5),
                Hours = hours.Count == 0 ? null : TimeBlockData.ToWeeklyHours(hours),
                ValidFrom = StoreReader.NullableInstant(row, 7),
                ValidUntil = StoreReader.NullableInstant(row, 8),
                HolidaysApply = row.GetBoolean(9),
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
            if (Visible(row.GetGuid(1))) revoked.Add((Read(row, row.GetString(9)), row.GetGuid(1), StoreReader.NullableInstant(row, 10)));
        }, ct, key);
        var revokedNumbers = revoked.Select(c => (c.SiteId, c.Definition.Kind, c.Definition.Value)).ToHashSet();
        var reissued = new HashSet<(Guid, CredentialKind, string)>();

        var definitions = new List<CredentialDefinition>();
        await _store.ReadAsync(StoreReader.Select<Credential>(db, columns) + " WHERE " + activeKey + " IS NOT NULL" + andKey, row =>
        {
            var siteId = row.GetGuid(1);
            if (!Visible(siteId)) return;
            var definition = Read(row, row.GetString(8));
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
        CredentialDefinition Read(DbDataReader row, string key)
        {
            var id = row.GetGuid(0);
            var isInvite = invites.TryGetValue(id, out var invite);
            return new CredentialDefinition(id, row.GetGuid(2), Enum.Parse<CredentialKind>(_store.Text(row, 3)), key)
            {
                ValidFrom = StoreReader.NullableInstant(row, 4),
                ValidUntil = StoreReader.NullableInstant(row, 5),
                MaxUses = StoreReader.NullableInt(row, 6),
                Revoked = row.GetBoolean(7) || (isInvite && invite is null),
                Invite = invite,
            };
        }
    }
}
