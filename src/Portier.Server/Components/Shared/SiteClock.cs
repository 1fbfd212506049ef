using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Portier.Core.Policy;

namespace Portier.Server.Components.Shared;

/// <summary>The console shows and reads every time on the clock of the site it belongs to.</summary>
public static class SiteClock
{
    /// <summary>The site's time zone; UTC only when no site is chosen. A zone id that is not known is refused (<see cref="UnknownTimeZoneException"/>), never shown as UTC.</summary>
    public static DateTimeZone Zone(string? timeZone) =>
        timeZone is null ? DateTimeZone.Utc : SiteTimeZones.Resolve(timeZone);

    /// <summary>An instant as the site's wall-clock time.</summary>
    public static string Format(DateTimeOffset at, string? timeZone, string pattern) =>
        Instant.FromDateTimeOffset(at).InZone(Zone(timeZone)).ToString(pattern, CultureInfo.InvariantCulture);

    /// <summary>Wall-clock text in <paramref name="pattern"/> read at the site (a time skipped by DST moves forward); null when unreadable.</summary>
    public static DateTimeOffset? Parse(string? text, string? timeZone, string pattern)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parsed = LocalDateTimePattern.CreateWithInvariantCulture(pattern).Parse(text.Trim());
        return parsed.Success ? parsed.Value.InZoneLeniently(Zone(timeZone)).ToDateTimeOffset() : null;
    }
}
