namespace Portier.Core.Tests.Decisions;

/// <summary>Weekly hours are read on the site's wall clock, across both DST transitions.</summary>
public class TimeZoneTests
{
    private static WeeklyHours SundayBlock(int startHour, int startMinute, int endHour, int endMinute) =>
        new([new TimeBlock(IsoDayOfWeek.Sunday, new LocalTime(startHour, startMinute), new LocalTime(endHour, endMinute))]);

    private static Decision At(string zone, WeeklyHours hours, Instant at) =>
        Site(MemberCurrent(hours), zone).Decide(at);

    private static Instant Utc(int month, int day, int hour, int minute) => Instant.FromUtc(2025, month, day, hour, minute);

    [Fact]
    public void Decide_NewYorkSpringForward_SkippedHourNeverOccurs()
    {
        // 9 March 2025: 02:00 EST jumps to 03:00 EDT at 07:00Z. A 02:00–03:00 block never matches.
        var skipped = SundayBlock(2, 0, 3, 0);
        for (var at = Utc(3, 9, 5, 0); at < Utc(3, 9, 9, 0); at += Duration.FromMinutes(1))
            AssertDenied(At("America/New_York", skipped, at), ReasonCode.OutsideAccessHours);
    }

    [Fact]
    public void Decide_NewYorkSpringForward_BlockAcrossGapFollowsWallClock()
    {
        var block = SundayBlock(1, 0, 3, 30);
        AssertAllowed(At("America/New_York", block, Utc(3, 9, 6, 59)), DecisionPath.Rule);   // 01:59 EST
        AssertAllowed(At("America/New_York", block, Utc(3, 9, 7, 29)), DecisionPath.Rule);   // 03:29 EDT
        AssertDenied(At("America/New_York", block, Utc(3, 9, 7, 30)), ReasonCode.OutsideAccessHours); // 03:30 EDT
    }

    [Fact]
    public void Decide_NewYorkFallBack_RepeatedHourIsInsideBothTimes()
    {
        // 2 November 2025: 02:00 EDT falls back to 01:00 EST at 06:00Z; 01:00–02:00 happens twice.
        var block = SundayBlock(1, 0, 2, 0);
        AssertAllowed(At("America/New_York", block, Utc(11, 2, 5, 30)), DecisionPath.Rule);  // 01:30 EDT
        AssertAllowed(At("America/New_York", block, Utc(11, 2, 6, 30)), DecisionPath.Rule);  // 01:30 EST
        AssertDenied(At("America/New_York", block, Utc(11, 2, 7, 0)), ReasonCode.OutsideAccessHours);  // 02:00 EST
        AssertDenied(At("America/New_York", block, Utc(11, 2, 4, 59)), ReasonCode.OutsideAccessHours); // 00:59 EDT
    }

    [Fact]
    public void Decide_BerlinSpringForward_SkippedHourNeverOccurs()
    {
        // 30 March 2025: 02:00 CET jumps to 03:00 CEST at 01:00Z.
        var skipped = SundayBlock(2, 0, 3, 0);
        for (var at = Utc(3, 29, 23, 0); at < Utc(3, 30, 3, 0); at += Duration.FromMinutes(1))
            AssertDenied(At("Europe/Berlin", skipped, at), ReasonCode.OutsideAccessHours);
        AssertAllowed(At("Europe/Berlin", SundayBlock(3, 0, 4, 0), Utc(3, 30, 1, 0)), DecisionPath.Rule); // 03:00 CEST
    }

    [Fact]
    public void Decide_BerlinFallBack_RepeatedHourIsInsideBothTimes()
    {
        // 26 October 2025: 03:00 CEST falls back to 02:00 CET at 01:00Z; 02:00–03:00 happens twice.
        var block = SundayBlock(2, 0, 3, 0);
        AssertAllowed(At("Europe/Berlin", block, Utc(10, 26, 0, 30)), DecisionPath.Rule);  // 02:30 CEST
        AssertAllowed(At("Europe/Berlin", block, Utc(10, 26, 1, 30)), DecisionPath.Rule);  // 02:30 CET
        AssertDenied(At("Europe/Berlin", block, Utc(10, 26, 2, 0)), ReasonCode.OutsideAccessHours); // 03:00 CET
    }

    [Fact]
    public void TimeBlock_CrossingMidnight_IsRejected() =>
        Assert.Throws<ArgumentException>(() => new TimeBlock(IsoDayOfWeek.Monday, new LocalTime(22, 0), new LocalTime(2, 0)));

    [Fact]
    public void Decide_NightShiftAsTwoBlocks_CoversBothSidesOfMidnight()
    {
        // A 22:00–02:00 shift is written as Monday 22:00–24:00 plus Tuesday 00:00–02:00.
        var night = new WeeklyHours([
            new TimeBlock(IsoDayOfWeek.Monday, new LocalTime(22, 0), LocalTime.Midnight),
            new TimeBlock(IsoDayOfWeek.Tuesday, LocalTime.Midnight, new LocalTime(2, 0)),
        ]);
        AssertDenied(At("America/New_York", night, Local(NewYork, 2025, 6, 2, 21, 59)), ReasonCode.OutsideAccessHours);
        AssertAllowed(At("America/New_York", night, Local(NewYork, 2025, 6, 2, 23, 30)), DecisionPath.Rule);
        AssertAllowed(At("America/New_York", night, Local(NewYork, 2025, 6, 3, 1, 30)), DecisionPath.Rule);
        AssertDenied(At("America/New_York", night, Local(NewYork, 2025, 6, 3, 2, 0)), ReasonCode.OutsideAccessHours);
    }

    [Fact]
    public void Decide_SameInstantAtTwoSites_EachJudgedByItsOwnClock()
    {
        var berlinSite = Id(60);
        var berlinDoor = Id(61);
        var officeHours = EveryDay((9, 17));
        var defs = Site(MemberCurrent(officeHours)) with
        {
            Sites = [new SiteDefinition(SiteId, "America/New_York", MemberCurrent(officeHours)), new SiteDefinition(berlinSite, "Europe/Berlin", MemberCurrent(officeHours))],
        };
        defs = defs with { Doors = [.. defs.Doors, new DoorDefinition(berlinDoor, berlinSite)] };
        var at = Instant.FromUtc(2025, 6, 2, 18, 0); // 14:00 in New York, 20:00 in Berlin

        AssertAllowed(defs.Decide(at), DecisionPath.Rule);
        AssertDenied(defs.Decide(at, berlinDoor), ReasonCode.OutsideAccessHours);
    }
}
