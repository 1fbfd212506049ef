using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Portier.Core.Policy;

namespace Portier.Server.Components.Shared;

/// <summary>
/// The console and the member app show and read every time on the clock of the site it belongs to, in one
/// format: day, month name and year (never a month-day order a reader could swap) and the 24-hour clock,
/// "7 Dec 2026, 14:05". Each page names the zone once (<see cref="ZoneNote"/>).
/// </summary>
public static class SiteClock
{
    /// <summary>A date: "7 Dec 2026".</summary>
    public const string Date = "d MMM yyyy";
    /// <summary>A time of day: "14:05".</summary>
    public const string Time = "HH:mm";
    /// <summary>A time of day to the second, for logs: "14:05:09".</summary>
    public const string TimeWithSeconds = "HH:mm:ss";
    /// <summary>A day of a known year, for chart axes under a dated range: "7 Dec".</summary>
    public const string DayOfYear = "d MMM";
    /// <summary>A date and time: "7 Dec 2026, 14:05".</summary>
    public const string DateTime = Date + ", " + Time;
    /// <summary>A date and time to the second, for logs: "7 Dec 2026, 14:05:09".</summary>
    public const string DateTimeWithSeconds = Date + ", " + TimeWithSeconds;

    /// <summary>The culture of every date picker: English month names, read and written as <see cref="Date"/>.</summary>
    public static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>The site's time zone; UTC only when no site is chosen. A zone id that is not known is refused (<see cref="UnknownTimeZoneException"/>), never shown as UTC.</summary>
    public static DateTimeZone Zone(string? timeZone) =>
        timeZone is null ? DateTimeZone.Utc : SiteTimeZones.Resolve(timeZone);

    /// <summary>The line that names the zone of a page's times.</summary>
    public static string ZoneNote(string? timeZone) => $"Times in {timeZone ?? "UTC"}";

    /// <summary>An instant as the site's wall-clock time, by default "7 Dec 2026, 14:05".</summary>
    public static string Format(DateTimeOffset at, string? timeZone, string pattern = DateTime) =>
        Instant.FromDateTimeOffset(at).InZone(Zone(timeZone)).ToString(pattern, Culture);

    /// <summary>An instant as the site's wall-clock time, "—" when there is none.</summary>
    public static string Format(DateTimeOffset? at, string? timeZone, string pattern = DateTime) =>
        at is { } value ? Format(value, timeZone, pattern) : "—";

    /// <summary>A calendar date: "7 Dec 2026".</summary>
    public static string Format(LocalDate date) => date.ToString(Date, Culture);

    /// <summary>
    /// Wall-clock text in <paramref name="pattern"/>, or as the console shows times (<see cref="DateTime"/>, so a shown
    /// time can be copied into a field), read at the site (a time skipped by DST moves forward); null when unreadable.
    /// </summary>
    public static DateTimeOffset? Parse(string? text, string? timeZone, string pattern)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parsed = LocalDateTimePattern.CreateWithInvariantCulture(pattern).Parse(text.Trim());
        if (!parsed.Success) parsed = Shown.Parse(text.Trim());
        return parsed.Success ? parsed.Value.InZoneLeniently(Zone(timeZone)).ToDateTimeOffset() : null;
    }

    private static readonly LocalDateTimePattern Shown = LocalDateTimePattern.CreateWithInvariantCulture(DateTime);
}
