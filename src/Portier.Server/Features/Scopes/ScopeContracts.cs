using Portier.Server.Features.Geofences;
using Portier.Server.Features.Rules;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Scopes;

/// <summary>A scope as the operator sets it; <see cref="RequiredQualificationIds"/> omitted keeps the scope's requirements (none for a new scope).</summary>
public sealed record ScopeRequest(
    Guid SiteId,
    string Name,
    IReadOnlyList<Guid>? DoorIds = null,
    AccessRulesData? RuleOverride = null,
    GeofenceData? GeofenceOverride = null,
    bool HolidaysApply = true,
    IReadOnlyList<Guid>? RequiredQualificationIds = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Name, "name");
        errors.Distinct(DoorIds, "doorIds");
        errors.Distinct(RequiredQualificationIds, "requiredQualificationIds");
        AccessRulesData.Validate(RuleOverride, "ruleOverride", errors);
        GeofenceData.Validate(GeofenceOverride, "geofenceOverride", errors);
    }

    public void ApplyTo(AccessScope scope)
    {
        scope.Name = Name.Trim();
        scope.DoorIds = [.. DoorIds ?? []];
        scope.RuleOverride = RuleOverride?.Normalized();
        scope.GeofenceOverride = GeofenceOverride;
        scope.HolidaysApply = HolidaysApply;
        if (RequiredQualificationIds is not null) scope.RequiredQualificationIds = [.. RequiredQualificationIds];
    }
}

public sealed record ScopeResponse(
    Guid Id,
    Guid SiteId,
    string Name,
    IReadOnlyList<Guid> DoorIds,
    AccessRulesData? RuleOverride,
    bool RulesInherit,
    GeofenceData? GeofenceOverride,
    bool GeofenceInherits,
    bool HolidaysApply)
{
    /// <summary>The qualifications every door of the scope requires.</summary>
    public IReadOnlyList<Guid> RequiredQualificationIds { get; init; } = [];

    public static ScopeResponse From(AccessScope s) => new(s.Id, s.SiteId, s.Name, s.DoorIds,
        s.RuleOverride, s.RuleOverride is null, s.GeofenceOverride, s.GeofenceOverride is null, s.HolidaysApply)
    {
        RequiredQualificationIds = s.RequiredQualificationIds,
    };
}
