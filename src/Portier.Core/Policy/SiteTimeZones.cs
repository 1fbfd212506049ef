using System.Diagnostics.CodeAnalysis;
using NodaTime;

namespace Portier.Core.Policy;

/// <summary>
/// The one way a site's IANA time-zone id becomes a <see cref="DateTimeZone"/>. A site's zone is
/// validated when it is saved, so an id this does not know means damaged data: it is refused,
/// never replaced by UTC, since a door latched or a report bucketed on the wrong clock is wrong
/// silently.
/// </summary>
public static class SiteTimeZones
{
    /// <summary>True when <paramref name="id"/> names a zone of the bundled TZDB.</summary>
    public static bool IsKnown(string? id) => TryResolve(id, out _);

    /// <exception cref="UnknownTimeZoneException">The id is null or not a TZDB zone.</exception>
    public static DateTimeZone Resolve(string? id) =>
        TryResolve(id, out var zone) ? zone : throw new UnknownTimeZoneException(id);

    /// <summary>For callers that turn an unknown zone into their own refusal (a problem, a logged skip); false leaves <paramref name="zone"/> null, never UTC.</summary>
    public static bool TryResolve(string? id, [NotNullWhen(true)] out DateTimeZone? zone)
    {
        zone = id is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id);
        return zone is not null;
    }
}

/// <summary>A site's time-zone id that is not a TZDB zone.</summary>
public sealed class UnknownTimeZoneException(string? zoneId)
    : Exception($"'{zoneId}' is not a known IANA time zone.")
{
    public string? ZoneId { get; } = zoneId;
}
