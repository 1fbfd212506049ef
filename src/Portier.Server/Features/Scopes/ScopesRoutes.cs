namespace Portier.Server.Features.Scopes;

public static class ScopesRoutes
{
    public const string Group = "scopes";
    public const string Door = "/{id:guid}/doors/{doorId:guid}";
}
