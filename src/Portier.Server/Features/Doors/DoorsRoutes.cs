namespace Portier.Server.Features.Doors;

public static class DoorsRoutes
{
    public const string Group = "doors";
    public const string Maintenance = "/{id:guid}/maintenance";
    public const string Override = "/{id:guid}/override";
}
