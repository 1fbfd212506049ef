namespace Portier.Server.Features.Alarms;

public static class AlarmsRoutes
{
    public const string Group = "alarms";
    public const string Acknowledge = "/{id:guid}/acknowledge";
}
