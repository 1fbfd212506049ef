using NodaTime;

namespace Portier.Server.Components.Shared;

/// <summary>Dates picked in a form (validity windows of grants and credentials), on the site's calendar.</summary>
public static class PickedDate
{
    /// <summary>A picked date is the start of that day at the site (midnight, or the first moment after a DST gap); no date is no bound.</summary>
    public static DateTimeOffset? AtSiteMidnight(DateTime? date, string? timeZone) =>
        date is { } d ? LocalDate.FromDateTime(d).AtStartOfDayInZone(SiteClock.Zone(timeZone)).ToDateTimeOffset() : null;

    /// <summary>The site's calendar day an instant falls on, as a picker shows it.</summary>
    public static DateTime? OnSiteCalendar(DateTimeOffset? at, string? timeZone) =>
        at is { } value ? Instant.FromDateTimeOffset(value).InZone(SiteClock.Zone(timeZone)).Date.ToDateTimeUnspecified() : null;
}
