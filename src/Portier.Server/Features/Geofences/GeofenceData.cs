using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Geofences;

/// <summary>
/// A circle around the site. A phone passes when its distance from the centre is at most
/// radius + reported accuracy + buffer, and its accuracy is at least as good as required.
/// </summary>
public sealed record GeofenceData(
    bool Enabled,
    double Latitude,
    double Longitude,
    double RadiusMeters,
    double RequiredAccuracyMeters,
    double AccuracyBufferMeters = GeofenceData.DefaultBufferMeters)
{
    public const double DefaultBufferMeters = 25;

    public static readonly GeofenceData Disabled = new(false, 0, 0, 0, 100);

    public static void Validate(GeofenceData? geofence, string field, ValidationErrors errors)
    {
        if (geofence is null) return;
        errors.Range(geofence.Latitude, -90, 90, $"{field}.latitude");
        errors.Range(geofence.Longitude, -180, 180, $"{field}.longitude");
        errors.Range(geofence.RadiusMeters, 0, 100_000, $"{field}.radiusMeters");
        errors.Range(geofence.RequiredAccuracyMeters, 1, 10_000, $"{field}.requiredAccuracyMeters");
        errors.Range(geofence.AccuracyBufferMeters, 0, 1_000, $"{field}.accuracyBufferMeters");
    }
}
