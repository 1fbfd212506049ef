namespace Portier.Server.Features.Lockdowns;

public static class LockdownsRoutes
{
    public const string Group = "lockdowns";
    public const string Start = "/{id:guid}/start";
    public const string End = "/{id:guid}/end";
    public const string Active = "/active";
    public const string Muster = "/{id:guid}/muster";
    public const string MusterPerson = "/{id:guid}/muster/{personId:guid}";
}
