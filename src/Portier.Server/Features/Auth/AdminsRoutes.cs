namespace Portier.Server.Features.Auth;

public static class AdminsRoutes
{
    public const string Admins = "admins";
    public const string Roles = "roles";
}
