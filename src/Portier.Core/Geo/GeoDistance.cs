namespace Portier.Core.Geo;

/// <summary>Great-circle distance on a spherical Earth (haversine), good to about 0.5% — far below GPS noise.</summary>
public static class GeoDistance
{
    /// <summary>Mean Earth radius in metres (IUGG).</summary>
    public const double EarthRadiusMeters = 6_371_008.8;

    public static double HaversineMeters(double lat1, double lon1, double lat2, double lon2)
    {
        const double toRadians = Math.PI / 180;
        var dLat = (lat2 - lat1) * toRadians;
        var dLon = (lon2 - lon1) * toRadians;
        var sinLat = Math.Sin(dLat / 2);
        var sinLon = Math.Sin(dLon / 2);
        var a = sinLat * sinLat + Math.Cos(lat1 * toRadians) * Math.Cos(lat2 * toRadians) * sinLon * sinLon;
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
