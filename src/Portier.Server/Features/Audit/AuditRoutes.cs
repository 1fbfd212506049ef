namespace Portier.Server.Features.Audit;

public static class AuditRoutes
{
    public const string Group = "audit";
    public const string Verify = "/verify";
}
