using Portier.Core.Model;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.People;

/// <summary>
/// The contact and membership fields a person carries, however the record arrives: the people API,
/// a CSV row or an integration sync row. Blank optional values clear the field.
/// </summary>
public sealed record PersonDetails(
    string? Name,
    string? Email,
    string? Phone,
    string? ExternalId,
    string? PersonType,
    string? MembershipStatus)
{
    public const string DefaultPersonType = "Member";
    public const int MaxTags = 100;
    public const int MaxTagLength = 100;

    public void Validate(ValidationErrors errors)
    {
        errors.NotBlank(Name, "name");
        Optional(Email, "email", 320, errors);
        if (Clean(Email) is { } email && (!email.Contains('@', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace)))
            errors.Add("email", "Must be an email address.");
        Optional(Phone, "phone", 40, errors);
        Optional(ExternalId, "externalId", 200, errors);
        Optional(PersonType, "personType", 100, errors);
        Optional(MembershipStatus, "membershipStatus", 100, errors);
    }

    /// <summary>Writes the fields; a blank person type keeps the current one (new people start as Member).</summary>
    public void ApplyTo(Person person)
    {
        person.Name = Name?.Trim() ?? person.Name;
        person.Email = Clean(Email);
        person.Phone = Clean(Phone);
        person.ExternalId = Clean(ExternalId);
        person.PersonType = Clean(PersonType) ?? person.PersonType;
        person.MembershipStatus = Clean(MembershipStatus);
    }

    public static PersonDetails Of(Person p) => new(p.Name, p.Email, p.Phone, p.ExternalId, p.PersonType, p.MembershipStatus);

    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static void ValidateTags(IReadOnlyList<string>? tags, string field, ValidationErrors errors)
    {
        if (tags is null) return;
        errors.Require(tags.Count <= MaxTags, field, $"At most {MaxTags} tags.");
        if (tags.Any(t => t is null || t.Trim().Length is 0 or > MaxTagLength))
            errors.Add(field, $"Tags must be 1 to {MaxTagLength} characters.");
    }

    /// <summary>Trimmed, without blanks and duplicates, in the order given.</summary>
    public static List<string> NormalizeTags(IEnumerable<string?>? tags) =>
        tags?.Select(t => t?.Trim()).OfType<string>().Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList() ?? [];

    private static void Optional(string? value, string field, int maxLength, ValidationErrors errors) =>
        errors.Require(value is null || value.Trim().Length <= maxLength, field, $"Must be at most {maxLength} characters.");
}

/// <summary>
/// Create or replace a person. Omitted contact fields and custom tags are cleared; an omitted person
/// type, switch or source keeps its current value (on create: Member, access on, not blocklisted,
/// manual, tracking its source), so a form that forgets the kill switch cannot re-enable anyone.
/// Synced tags are not part of it: they belong to the integration (sync) and CSV import.
/// A person never moves between sites.
/// </summary>
public sealed record PersonRequest(
    Guid SiteId,
    string Name,
    string? Email = null,
    string? Phone = null,
    string? ExternalId = null,
    string? PersonType = null,
    string? MembershipStatus = null,
    IReadOnlyList<string>? CustomTags = null,
    bool? AccessEnabled = null,
    bool? Blocklisted = null,
    PersonSource? Source = null,
    bool? TrackSource = null) : IValidatable
{
    public PersonDetails Details => new(Name, Email, Phone, ExternalId, PersonType, MembershipStatus);

    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        Details.Validate(errors);
        PersonDetails.ValidateTags(CustomTags, "customTags", errors);
    }

    public void ApplyTo(Person person)
    {
        Details.ApplyTo(person);
        person.CustomTags = PersonDetails.NormalizeTags(CustomTags);
        person.AccessEnabled = AccessEnabled ?? person.AccessEnabled;
        person.Blocklisted = Blocklisted ?? person.Blocklisted;
        person.Source = Source ?? person.Source;
        person.TrackSource = TrackSource ?? person.TrackSource;
    }
}

public sealed record AccessRequest(bool Enabled);

public sealed record CustomTagsRequest(IReadOnlyList<string> Tags) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(Tags is not null, "tags", "Is required.");
        PersonDetails.ValidateTags(Tags, "tags", errors);
    }
}

public sealed record PersonResponse(
    Guid Id,
    Guid SiteId,
    string Name,
    string? Email,
    string? Phone,
    string? ExternalId,
    string PersonType,
    string? MembershipStatus,
    IReadOnlyList<string> SyncedTags,
    IReadOnlyList<string> CustomTags,
    bool AccessEnabled,
    bool Blocklisted,
    PersonSource Source,
    bool TrackSource,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static PersonResponse From(Person p) =>
        new(p.Id, p.SiteId, p.Name, p.Email, p.Phone, p.ExternalId, p.PersonType, p.MembershipStatus, p.SyncedTags, p.CustomTags,
            p.AccessEnabled, p.Blocklisted, p.Source, p.TrackSource, p.CreatedAt.ToDateTimeOffset(), p.UpdatedAt.ToDateTimeOffset());
}

/// <summary>One refused row of a bulk write; <c>row</c> is the CSV record number or the sync array index.</summary>
public sealed record RowError(int Row, string Field, string Message);

public sealed record ImportResult(bool DryRun, int Created, int Updated, int Unchanged, int Failed, IReadOnlyList<RowError> Errors);

public sealed record SyncPerson(
    string? ExternalId,
    string? Name,
    string? Email = null,
    string? Phone = null,
    string? PersonType = null,
    string? MembershipStatus = null,
    IReadOnlyList<string>? Tags = null);

public sealed record SyncRequest(Guid SiteId, IReadOnlyList<SyncPerson?> People) : IValidatable
{
    public const int MaxRows = 10_000;

    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.Require(People is not null, "people", "Is required.");
        errors.Require(People is null || People.Count <= MaxRows, "people", $"At most {MaxRows} people per call.");
    }
}

public sealed record SyncResult(int Created, int Updated, int Unchanged, int Skipped, int Failed, IReadOnlyList<RowError> Errors);

/// <summary>The person types and membership statuses in use at a site, each sorted.</summary>
public sealed record PersonVocabulary(IReadOnlyList<string> PersonTypes, IReadOnlyList<string> Statuses)
{
    public static readonly PersonVocabulary Empty = new([], []);

    /// <summary>
    /// What a new person-type rule starts with: the first type no rule names yet, with Active and
    /// Current selected where the site's people carry them.
    /// </summary>
    public (string PersonType, IReadOnlyList<string> Statuses) NewRule(IEnumerable<string?> typesInRules)
    {
        var used = typesInRules.Where(t => t is not null).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var type = PersonTypes.FirstOrDefault(t => !used.Contains(t)) ?? (PersonTypes.Count > 0 ? PersonTypes[0] : "Member");
        return (type, [.. Statuses.Where(s => s.Equals("Active", StringComparison.OrdinalIgnoreCase) || s.Equals("Current", StringComparison.OrdinalIgnoreCase))]);
    }
}
