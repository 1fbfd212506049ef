using Portier.Server.Features.Geofences;
using Portier.Server.Features.Rules;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Scopes;

public sealed record ScopeRequest(
    Guid SiteId,
    string Name,
    IReadOnlyList<Guid>? DoorIds = null,
    AccessRulesData? RuleOverride = null,
    GeofenceData? GeofenceOverride = null,
    bool HolidaysApply = true) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Name, "name");
        errors.Distinct(DoorIds, "doorIds");
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
    public static ScopeResponse From(AccessScope s) => new(s.Id, s.SiteId, s.Name, s.DoorIds,
        s.RuleOverride, s.RuleOverride is null, s.GeofenceOverride, s.GeofenceOverride is null, s.HolidaysApply);
}
