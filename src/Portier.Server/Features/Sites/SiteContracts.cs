using Portier.Core.Policy;
using Portier.Server.Features.Geofences;
using Portier.Server.Features.Guessing;
using Portier.Server.Features.Rules;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Sites;

public sealed record SiteRequest(
    string Name,
    string TimeZone,
    GeofenceData? Geofence = null,
    AccessRulesData? Rules = null,
    int? MinPinLength = null,
    bool? AllowWeakPins = null,
    GuessingLimitsData? GuessingLimits = null,
    int? OfflineHorizonMinutes = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotBlank(Name, "name");
        errors.Require(SiteTimeZones.IsKnown(TimeZone),
            "timeZone", "Must be an IANA time zone such as Europe/Berlin.");
        GeofenceData.Validate(Geofence, "geofence", errors);
        AccessRulesData.Validate(Rules, "rules", errors);
        if (MinPinLength is { } length) errors.Range(length, 4, 12, "minPinLength");
        GuessingLimitsData.Validate(GuessingLimits, "guessingLimits", errors);
        if (OfflineHorizonMinutes is { } horizon) errors.Range(horizon, Site.MinOfflineHorizonMinutes, Site.MaxOfflineHorizonMinutes, "offlineHorizonMinutes");
    }

    public void ApplyTo(Site site)
    {
        site.Name = Name.Trim();
        site.TimeZone = TimeZone;
        site.Geofence = Geofence ?? GeofenceData.Disabled;
        site.Rules = (Rules ?? AccessRulesData.Empty).Normalized();
        site.MinPinLength = MinPinLength ?? Site.DefaultMinPinLength;
        site.AllowWeakPins = AllowWeakPins ?? false;
        site.GuessingLimits = GuessingLimits == new GuessingLimitsData() ? null : GuessingLimits;
        site.OfflineHorizonMinutes = OfflineHorizonMinutes ?? Site.DefaultOfflineHorizonMinutes;
    }
}

public sealed record SiteResponse(
    Guid Id,
    string Name,
    string TimeZone,
    GeofenceData Geofence,
    AccessRulesData Rules,
    int MinPinLength,
    bool AllowWeakPins,
    GuessingLimitsData? GuessingLimits,
    int OfflineHorizonMinutes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static SiteResponse From(Site s) =>
        new(s.Id, s.Name, s.TimeZone, s.Geofence, s.Rules, s.MinPinLength, s.AllowWeakPins, s.GuessingLimits, s.OfflineHorizonMinutes, s.CreatedAt.ToDateTimeOffset(), s.UpdatedAt.ToDateTimeOffset());
}
