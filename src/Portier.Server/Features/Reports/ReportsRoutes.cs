namespace Portier.Server.Features.Reports;

public static class ReportsRoutes
{
    public const string Group = "reports";
    public const string Occupancy = "/occupancy";
    public const string AccessSummary = "/access-summary";
    public const string TopDenied = "/top-denied";
}
