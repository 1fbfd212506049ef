using NodaTime;
using Portier.Core.Doors;
using Portier.Core.Schedules;

namespace Portier.Core.Tests.Doors;

public class AutoUnlockScheduleTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];

    private static AutoUnlockSchedule Daily(DateTimeZone zone, LocalTime start, LocalTime end) =>
        new(new WeeklyHours([.. Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None).Select(d => new TimeBlock(d, start, end))]), zone);

    private static Instant At(DateTimeZone zone, int y, int m, int d, int h, int min) =>
        zone.AtLeniently(new LocalDateTime(y, m, d, h, min)).ToInstant();

    [Fact]
    public void IsLatchedAt_InsideAndOutsideTheWindow()
    {
        var schedule = Daily(NewYork, new LocalTime(8, 0), new LocalTime(18, 0));
        Assert.False(schedule.IsLatchedAt(At(NewYork, 2026, 6, 1, 7, 59)));
        Assert.True(schedule.IsLatchedAt(At(NewYork, 2026, 6, 1, 8, 0)));
        Assert.False(schedule.IsLatchedAt(At(NewYork, 2026, 6, 1, 18, 0)));
    }

    [Fact]
    public void NextChange_BeforeWindow_IsTheWindowStart_ThenItsEnd()
    {
        var schedule = Daily(NewYork, new LocalTime(8, 0), new LocalTime(18, 0));
        var open = schedule.NextChange(At(NewYork, 2026, 6, 1, 7, 0));
        Assert.Equal(At(NewYork, 2026, 6, 1, 8, 0), open);
        Assert.Equal(At(NewYork, 2026, 6, 1, 18, 0), schedule.NextChange(open!.Value));
    }

    [Fact]
    public void NextChange_WindowEndingAtMidnight_ClosesAtStartOfNextDay()
    {
        var schedule = new AutoUnlockSchedule(new WeeklyHours([new TimeBlock(IsoDayOfWeek.Friday, new LocalTime(20, 0), LocalTime.Midnight)]), Berlin);
        var friday = At(Berlin, 2026, 6, 5, 21, 0);
        Assert.True(schedule.IsLatchedAt(friday));
        Assert.Equal(At(Berlin, 2026, 6, 6, 0, 0), schedule.NextChange(friday));
    }

    [Fact]
    public void NextChange_WindowStartInSpringForwardGap_OpensRightAfterTheGap()
    {
        // 8 March 2026, New York: 02:00 jumps to 03:00; a 02:30 start resolves to 03:00 EDT.
        var schedule = Daily(NewYork, new LocalTime(2, 30), new LocalTime(5, 0));
        var open = schedule.NextChange(At(NewYork, 2026, 3, 8, 1, 0));
        Assert.Equal(Instant.FromUtc(2026, 3, 8, 7, 0), open);
        Assert.Equal(At(NewYork, 2026, 3, 8, 5, 0), schedule.NextChange(open!.Value));
    }

    [Fact]
    public void NextChange_WindowEndInFallBackOverlap_FollowsTheWallClockThroughBothPasses()
    {
        // 25 October 2026, Berlin: at 03:00 CEST the clock falls back to 02:00 CET, so 02:00–02:30 happens twice.
        var schedule = Daily(Berlin, new LocalTime(1, 0), new LocalTime(2, 30));
        var open = schedule.NextChange(At(Berlin, 2026, 10, 25, 0, 0));
        Assert.Equal(Instant.FromUtc(2026, 10, 24, 23, 0), open);
        var firstClose = schedule.NextChange(open!.Value);
        Assert.Equal(Instant.FromUtc(2026, 10, 25, 0, 30), firstClose);
        var reopen = schedule.NextChange(firstClose!.Value);
        Assert.Equal(Instant.FromUtc(2026, 10, 25, 1, 0), reopen);
        Assert.Equal(Instant.FromUtc(2026, 10, 25, 1, 30), schedule.NextChange(reopen!.Value));
    }

    [Fact]
    public void Empty_NeverLatches() =>
        Assert.Null(new AutoUnlockSchedule(WeeklyHours.Always, NewYork).NextChange(Instant.FromUtc(2026, 1, 1, 0, 0)));
}
