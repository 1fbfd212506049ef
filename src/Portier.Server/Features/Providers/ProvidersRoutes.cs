namespace Portier.Server.Features.Providers;

public static class ProvidersRoutes
{
    public const string Group = "providers";
    public const string RotateSecret = "/{id:guid}/rotate-secret";
    public const string Test = "/{id:guid}/test";
    public const string Zones = "/{id:guid}/zones";
    public const string SyncZones = "/{id:guid}/zones/sync";
}
