namespace Portier.Server.Features.Occupancy;

/// <summary>Occupancy lives under the zones group.</summary>
public static class OccupancyRoutes
{
    public const string Count = "/{id:guid}/occupancy";
}
