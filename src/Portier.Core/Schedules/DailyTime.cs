using NodaTime;
using NodaTime.TimeZones;

namespace Portier.Core.Schedules;

/// <summary>A time of day that recurs every day in a time zone (a nightly job), resolved across DST as <see cref="Resolvers.LenientResolver"/> does.</summary>
public static class DailyTime
{
    /// <summary>
    /// The latest instant at or before <paramref name="now"/> when the wall clock of <paramref name="zone"/> showed
    /// <paramref name="time"/>. A time skipped by a spring-forward gap happens once, shifted forward by the gap;
    /// a time repeated by a fall-back overlap happens once, at its earlier instant.
    /// </summary>
    public static Instant LastAtOrBefore(Instant now, LocalTime time, DateTimeZone zone)
    {
        var today = now.InZone(zone).Date;
        var candidate = zone.ResolveLocal(today + time, Resolvers.LenientResolver).ToInstant();
        return candidate <= now ? candidate : zone.ResolveLocal(today.PlusDays(-1) + time, Resolvers.LenientResolver).ToInstant();
    }
}
