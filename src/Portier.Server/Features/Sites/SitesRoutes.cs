namespace Portier.Server.Features.Sites;

public static class SitesRoutes
{
    public const string Group = "sites";
}
