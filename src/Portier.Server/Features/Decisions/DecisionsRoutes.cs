namespace Portier.Server.Features.Decisions;

public static class DecisionsRoutes
{
    public const string Group = "decisions";
    public const string Explain = "/explain";
    public const string WhoCanPass = "/who-can-pass";
    public const string DoorsFor = "/doors-for";
}
