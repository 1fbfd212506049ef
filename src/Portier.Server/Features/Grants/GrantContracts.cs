using Portier.Server.Features.Rules;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Grants;

/// <summary>
/// Create or replace a grant. At least one of siteWide, doorIds, scopeIds; empty hours mean no hour
/// limit; the validity window is [validFrom, validUntil). A grant never moves to another person.
/// </summary>
public sealed record GrantRequest(
    Guid PersonId,
    bool SiteWide = false,
    IReadOnlyList<Guid>? DoorIds = null,
    IReadOnlyList<Guid>? ScopeIds = null,
    IReadOnlyList<TimeBlockData>? Hours = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidUntil = null,
    string? Note = null,
    bool HolidaysApply = true) : IValidatable
{
    public const int MaxTargets = 500;

    public void Validate(ValidationErrors errors)
    {
        errors.Require(PersonId != Guid.Empty, "personId", "Is required.");
        errors.Require(SiteWide || DoorIds is { Count: > 0 } || ScopeIds is { Count: > 0 }, "siteWide",
            "Give siteWide, doorIds or scopeIds.");
        errors.Require(DoorIds is null || DoorIds.Count <= MaxTargets, "doorIds", $"At most {MaxTargets} doors.");
        errors.Require(ScopeIds is null || ScopeIds.Count <= MaxTargets, "scopeIds", $"At most {MaxTargets} scopes.");
        TimeBlockData.ValidateAll(Hours, "hours", errors);
        ValidityWindow.Validate(ValidFrom, ValidUntil, errors);
        errors.Require(Note is null || Note.Length <= 500, "note", "Must be at most 500 characters.");
    }

    public void ApplyTo(Grant grant)
    {
        grant.SiteWide = SiteWide;
        grant.DoorIds = DoorIds?.Distinct().ToList() ?? [];
        grant.ScopeIds = ScopeIds?.Distinct().ToList() ?? [];
        grant.Hours = Hours?.ToList() ?? [];
        grant.ValidFrom = ValidityWindow.ToInstant(ValidFrom);
        grant.ValidUntil = ValidityWindow.ToInstant(ValidUntil);
        grant.Note = string.IsNullOrWhiteSpace(Note) ? null : Note.Trim();
        grant.HolidaysApply = HolidaysApply;
    }
}

public sealed record GrantResponse(
    Guid Id,
    Guid SiteId,
    Guid PersonId,
    bool SiteWide,
    IReadOnlyList<Guid> DoorIds,
    IReadOnlyList<Guid> ScopeIds,
    IReadOnlyList<TimeBlockData> Hours,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidUntil,
    string? Note,
    DateTimeOffset CreatedAt,
    bool HolidaysApply)
{
    public static GrantResponse From(Grant g) =>
        new(g.Id, g.SiteId, g.PersonId, g.SiteWide, g.DoorIds, g.ScopeIds, g.Hours,
            ValidityWindow.ToOffset(g.ValidFrom), ValidityWindow.ToOffset(g.ValidUntil), g.Note, g.CreatedAt.ToDateTimeOffset(), g.HolidaysApply);
}
