namespace Portier.Server.Features.AccessLog;

public static class AccessLogRoutes
{
    public const string Group = "access-events";
    public const string Export = "/export.csv";
    public const string Verify = "/verify";
}
