namespace Portier.Server.Features.Calendars;

public static class CalendarsRoutes
{
    public const string Group = "calendars";
    public const string Entries = "/{id:guid}/entries";
    public const string Entry = "/{id:guid}/entries/{entryId:guid}";
    public const string Import = "/{id:guid}/import";
}
