using NodaTime;
using Portier.Core.Schedules;

namespace Portier.Core.Tests.Schedules;

public class TimeBlockShapeTests
{
    [Fact]
    public void TimeBlock_EndBeforeStart_Throws() =>
        Assert.Throws<ArgumentException>(() => new TimeBlock(IsoDayOfWeek.Monday, new LocalTime(10, 0), new LocalTime(9, 0)));

    [Theory]
    [InlineData(8, 12, 11, 14, true)]
    [InlineData(8, 12, 8, 12, true)]
    [InlineData(8, 12, 9, 10, true)]
    [InlineData(8, 12, 12, 14, false)]
    [InlineData(14, 16, 8, 14, false)]
    [InlineData(22, 24, 23, 24, true)]
    [InlineData(20, 24, 8, 20, false)]
    public void TimeBlock_Overlaps_OnlyWhenTheySharePartOfTheSameDay(int startA, int endA, int startB, int endB, bool expected)
    {
        static LocalTime At(int hour) => hour == 24 ? LocalTime.Midnight : new LocalTime(hour, 0);
        var a = new TimeBlock(IsoDayOfWeek.Monday, At(startA), At(endA));
        var b = new TimeBlock(IsoDayOfWeek.Monday, At(startB), At(endB));

        Assert.Equal(expected, a.Overlaps(b));
        Assert.Equal(expected, b.Overlaps(a));
        Assert.False(a.Overlaps(new TimeBlock(IsoDayOfWeek.Tuesday, At(startB), At(endB))));
    }

    [Fact]
    public void TimeBlock_EndAtMidnight_CoversRestOfDay()
    {
        var block = new TimeBlock(IsoDayOfWeek.Friday, new LocalTime(22, 0), LocalTime.Midnight);
        Assert.True(block.Contains(IsoDayOfWeek.Friday, new LocalTime(23, 59, 59)));
        Assert.False(block.Contains(IsoDayOfWeek.Saturday, LocalTime.Midnight));
    }

    [Fact]
    public void WeeklyHours_TwoBlocksADay_ExcludesTheGapAndTheEnd()
    {
        var hours = new WeeklyHours([
            new TimeBlock(IsoDayOfWeek.Monday, new LocalTime(6, 0), new LocalTime(10, 0)),
            new TimeBlock(IsoDayOfWeek.Monday, new LocalTime(16, 0), new LocalTime(22, 0)),
        ]);
        var monday = new LocalDate(2026, 3, 2);
        Assert.True(hours.Contains(monday + new LocalTime(6, 0)));
        Assert.False(hours.Contains(monday + new LocalTime(10, 0)));
        Assert.False(hours.Contains(monday + new LocalTime(12, 0)));
        Assert.True(hours.Contains(monday + new LocalTime(21, 59)));
        Assert.False(hours.Contains(monday + new LocalTime(22, 0)));
    }

    [Fact]
    public void WeeklyHours_Empty_IsAlways() =>
        Assert.True(WeeklyHours.Always.Contains(new LocalDateTime(2026, 1, 1, 3, 0)));
}
