using FsCheck.Xunit;

namespace Portier.Core.Tests.Decisions;

public class SiteClockTests
{
    [Property(MaxTest = 500)]
    public bool TickOfWeek_AnyInstant_MatchesNodaTimeWallClock(int secondsFrom2000, bool berlin)
    {
        var zone = DateTimeZoneProviders.Tzdb[berlin ? "Europe/Berlin" : "America/New_York"];
        var instant = Instant.FromUtc(2000, 1, 1, 0, 0) + Duration.FromSeconds(Math.Abs((long)secondsFrom2000) * 2);
        return new SiteClock(zone).TickOfWeek(instant.ToUnixTimeTicks()) == WallClockTickOfWeek(zone, instant);
    }

    [Fact]
    public void TickOfWeek_BeyondPrecomputedRange_FallsBackToZone()
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var instant = Instant.FromUtc(2150, 7, 1, 12, 0);
        Assert.Equal(WallClockTickOfWeek(zone, instant), new SiteClock(zone).TickOfWeek(instant.ToUnixTimeTicks()));
    }

    private static long WallClockTickOfWeek(DateTimeZone zone, Instant instant)
    {
        var local = instant.InZone(zone).LocalDateTime;
        return ((int)local.DayOfWeek - 1) * NodaConstants.TicksPerDay + local.TimeOfDay.TickOfDay;
    }
}
