namespace Portier.Server.Features.Zones;

public static class ZonesRoutes
{
    public const string Group = "zones";
}
