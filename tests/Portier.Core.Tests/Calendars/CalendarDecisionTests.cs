using Portier.Core.Calendars;
using Portier.Core.Doors;

namespace Portier.Core.Tests.Calendars;

/// <summary>Holiday calendars in the decision: closed days, special hours, yearly entries and ranges, on the site's local date.</summary>
public class CalendarDecisionTests
{
    private static readonly Guid SharedCalendar = Id(700);
    private static readonly Guid SiteCalendarId = Id(701);

    private static CalendarEntryDefinition Closed(int n, LocalDate start, LocalDate? end = null, bool yearly = false) =>
        new(Id(800 + n), $"Holiday {n}", start, end ?? start, CalendarDayEffect.Closed) { Yearly = yearly };

    private static CalendarEntryDefinition Special(int n, LocalDate date, params (int Start, int End)[] windows) =>
        new(Id(800 + n), $"Special {n}", date, date, CalendarDayEffect.SpecialHours)
        {
            Windows = [.. windows.Select(w => new DayWindow(new LocalTime(w.Start, 0), w.End == 24 ? LocalTime.Midnight : new LocalTime(w.End, 0)))],
        };

    private static PolicyDefinitions WithCalendar(PolicyDefinitions defs, params CalendarEntryDefinition[] entries) =>
        defs with { Calendars = [new CalendarDefinition(SharedCalendar, "Public holidays", null) { Entries = entries }] };

    private static PolicyDefinitions ClosedOn(LocalDate date, string zone = "America/New_York") => WithCalendar(Site(zone: zone), Closed(1, date));

    [Fact]
    public void Decide_ClosedDay_DeniesRulePathWithHolidayClosed()
    {
        var defs = ClosedOn(new LocalDate(2025, 6, 2));
        AssertDenied(defs.Decide(MondayNoon), ReasonCode.HolidayClosed);
        AssertAllowed(defs.Decide(MondayNoon + Duration.FromDays(1)), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_NoCalendar_BehavesAsBefore()
    {
        AssertAllowed(Site().Decide(MondayNoon), DecisionPath.Rule);
        var snapshot = PolicySnapshot.Compile(Site());
        Assert.Null(snapshot.CalendarForDoor(DoorId));
    }

    [Fact]
    public void Decide_ClosedDay_GrantExemptFromHolidaysStillOpens()
    {
        var defs = ClosedOn(new LocalDate(2025, 6, 2)).WithPerson(new PersonDefinition(PersonId, "Guest", "Current"));
        AssertDenied(defs.WithGrant(Grant() with { SiteWide = true }).Decide(MondayNoon), ReasonCode.HolidayClosed);
        AssertAllowed(defs.WithGrant(Grant() with { SiteWide = true, HolidaysApply = false }).Decide(MondayNoon), DecisionPath.Grant);
    }

    [Fact]
    public void Decide_ClosedDay_RuleExemptFromHolidaysStillOpens()
    {
        var defs = WithCalendar(Site(MemberCurrent() with { HolidaysApply = false }), Closed(1, new LocalDate(2025, 6, 2)));
        AssertAllowed(defs.Decide(MondayNoon), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_ClosedDay_DoorOrScopeExemptFromHolidays_FollowsWeeklyHours()
    {
        var defs = ClosedOn(new LocalDate(2025, 6, 2));
        AssertAllowed(defs.WithDoor(d => d with { HolidaysApply = false }).Decide(MondayNoon), DecisionPath.Rule);
        var scopeExempt = defs with { Scopes = [new ScopeDefinition(ServiceEntries, SiteId) { HolidaysApply = false }] };
        AssertAllowed(scopeExempt.Decide(MondayNoon), DecisionPath.Rule);
        AssertDenied(scopeExempt.Decide(MondayNoon, OtherDoorId), ReasonCode.HolidayClosed);
        Assert.Null(PolicySnapshot.Compile(scopeExempt).CalendarForDoor(DoorId));
        Assert.NotNull(PolicySnapshot.Compile(scopeExempt).CalendarForDoor(OtherDoorId));
    }

    [Fact]
    public void Decide_ClosedDay_PersonWithoutRuleOrGrant_StillNoMatchingRule()
    {
        var defs = ClosedOn(new LocalDate(2025, 6, 2)).WithPerson(new PersonDefinition(PersonId, "Guest", "Current"));
        AssertDenied(defs.Decide(MondayNoon), ReasonCode.NoMatchingRuleOrGrant);
    }

    [Fact]
    public void Decide_SpecialHoursDay_ReplacesWeeklyHours()
    {
        // Weekly 08:00–20:00; on 2 June only 10:00–12:00 and 15:00–16:00.
        var defs = WithCalendar(Site(MemberCurrent(EveryDay((8, 20)))), Special(1, new LocalDate(2025, 6, 2), (10, 12), (15, 16)));
        AssertDenied(defs.Decide(Local(NewYork, 2025, 6, 2, 9, 0)), ReasonCode.OutsideAccessHours);
        AssertAllowed(defs.Decide(Local(NewYork, 2025, 6, 2, 11, 59)), DecisionPath.Rule);
        AssertDenied(defs.Decide(Local(NewYork, 2025, 6, 2, 12, 0)), ReasonCode.OutsideAccessHours);
        AssertAllowed(defs.Decide(Local(NewYork, 2025, 6, 2, 15, 30)), DecisionPath.Rule);
        AssertAllowed(defs.Decide(Local(NewYork, 2025, 6, 3, 9, 0)), DecisionPath.Rule);
        // Special hours may also open a day beyond the weekly hours.
        var late = WithCalendar(Site(MemberCurrent(EveryDay((8, 20)))), Special(1, new LocalDate(2025, 6, 2), (20, 24)));
        AssertAllowed(late.Decide(Local(NewYork, 2025, 6, 2, 23, 0)), DecisionPath.Rule);
    }

    [Fact]
    public void Explain_SpecialHoursDay_SaysSo()
    {
        var defs = WithCalendar(Site(MemberCurrent(EveryDay((8, 20)))), Special(1, new LocalDate(2025, 6, 2), (10, 12)));
        var explained = DecisionEngine.Explain(PolicySnapshot.Compile(defs), DecisionRequest.ForPerson(PersonId, DoorId, Local(NewYork, 2025, 6, 2, 9, 0)), LiveFacts.OnlineAt(MondayNoon));
        var calendar = Assert.Single(explained.Checks, c => c.Check == DecisionCheck.HolidayCalendar);
        Assert.Contains("Special 1", calendar.Detail, StringComparison.Ordinal);
        var rule = Assert.Single(explained.Checks, c => c.Check == DecisionCheck.RulePath);
        Assert.Equal(ReasonCode.OutsideAccessHours, rule.Failure);
        Assert.Contains("special hours", rule.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_ClosedDay_NamesTheHoliday()
    {
        var explained = DecisionEngine.Explain(PolicySnapshot.Compile(ClosedOn(new LocalDate(2025, 6, 2))),
            DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon), LiveFacts.OnlineAt(MondayNoon));
        Assert.Equal(ReasonCode.HolidayClosed, explained.Decision.Reason);
        Assert.Contains(explained.Checks, c => c.Check == DecisionCheck.RulePath && c.Failure == ReasonCode.HolidayClosed && c.Detail.Contains("Holiday 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Decide_YearlyEntry_AppliesEveryYear()
    {
        var defs = WithCalendar(Site(), Closed(1, new LocalDate(2020, 12, 25), yearly: true));
        foreach (var year in new[] { 2024, 2025, 2031 })
            AssertDenied(defs.Decide(Local(NewYork, year, 12, 25, 12, 0)), ReasonCode.HolidayClosed);
        AssertAllowed(defs.Decide(Local(NewYork, 2025, 12, 26, 12, 0)), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_YearlyRangeOverYearEnd_CoversBothYears()
    {
        var defs = WithCalendar(Site(), Closed(1, new LocalDate(2024, 12, 30), new LocalDate(2025, 1, 2), yearly: true));
        AssertAllowed(defs.Decide(Local(NewYork, 2026, 12, 29, 23, 59)), DecisionPath.Rule);
        AssertDenied(defs.Decide(Local(NewYork, 2026, 12, 30, 0, 0)), ReasonCode.HolidayClosed);
        AssertDenied(defs.Decide(Local(NewYork, 2026, 12, 31, 12, 0)), ReasonCode.HolidayClosed);
        AssertDenied(defs.Decide(Local(NewYork, 2027, 1, 1, 12, 0)), ReasonCode.HolidayClosed);
        AssertDenied(defs.Decide(Local(NewYork, 2027, 1, 2, 23, 59)), ReasonCode.HolidayClosed);
        AssertAllowed(defs.Decide(Local(NewYork, 2027, 1, 3, 0, 0)), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_OneOffRange_OnlyThatYear()
    {
        var defs = WithCalendar(Site(), Closed(1, new LocalDate(2025, 12, 24), new LocalDate(2025, 12, 26)));
        AssertDenied(defs.Decide(Local(NewYork, 2025, 12, 24, 8, 0)), ReasonCode.HolidayClosed);
        AssertDenied(defs.Decide(Local(NewYork, 2025, 12, 26, 8, 0)), ReasonCode.HolidayClosed);
        AssertAllowed(defs.Decide(Local(NewYork, 2026, 12, 25, 8, 0)), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_MidnightBoundary_FollowsTheSiteLocalDate()
    {
        var defs = ClosedOn(new LocalDate(2025, 6, 2));
        AssertAllowed(defs.Decide(Local(NewYork, 2025, 6, 1, 23, 59)), DecisionPath.Rule);
        AssertDenied(defs.Decide(Local(NewYork, 2025, 6, 2, 0, 0)), ReasonCode.HolidayClosed);
        AssertDenied(defs.Decide(Local(NewYork, 2025, 6, 2, 23, 59) + Duration.FromSeconds(59)), ReasonCode.HolidayClosed);
        AssertAllowed(defs.Decide(Local(NewYork, 2025, 6, 3, 0, 0)), DecisionPath.Rule);
        // 2 June 02:00 UTC is still 1 June in New York: the UTC date does not count.
        AssertAllowed(defs.Decide(Instant.FromUtc(2025, 6, 2, 2, 0)), DecisionPath.Rule);
    }

    [Theory]
    [InlineData("Europe/Berlin", 2025, 3, 30)]
    [InlineData("Europe/Berlin", 2025, 10, 26)]
    [InlineData("America/New_York", 2025, 3, 9)]
    [InlineData("America/New_York", 2025, 11, 2)]
    public void Decide_HolidayOnDstSwitchDay_CoversExactlyThatLocalDay(string zoneId, int year, int month, int day)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        var date = new LocalDate(year, month, day);
        var defs = ClosedOn(date, zoneId);
        var start = zone.AtStartOfDay(date).ToInstant();
        var end = zone.AtStartOfDay(date.PlusDays(1)).ToInstant();
        // The local day is 23 or 25 hours long; every minute of it is closed, and none outside it.
        Assert.NotEqual(Duration.FromHours(24), end - start);
        AssertAllowed(defs.Decide(start - Duration.FromMinutes(1)), DecisionPath.Rule);
        for (var at = start; at < end; at += Duration.FromMinutes(10))
            AssertDenied(defs.Decide(at), ReasonCode.HolidayClosed);
        AssertDenied(defs.Decide(end - Duration.FromSeconds(1)), ReasonCode.HolidayClosed);
        AssertAllowed(defs.Decide(end), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_SpecialHoursOnFallBackDay_RepeatedHourIsInsideBothTimes()
    {
        // 26 October 2025 in Berlin: 02:00–03:00 happens twice; special hours 02:00–03:00 match both.
        var defs = WithCalendar(Site(zone: "Europe/Berlin"), Special(1, new LocalDate(2025, 10, 26), (2, 3)));
        AssertAllowed(defs.Decide(Instant.FromUtc(2025, 10, 26, 0, 30)), DecisionPath.Rule);
        AssertAllowed(defs.Decide(Instant.FromUtc(2025, 10, 26, 1, 30)), DecisionPath.Rule);
        AssertDenied(defs.Decide(Instant.FromUtc(2025, 10, 26, 2, 0)), ReasonCode.OutsideAccessHours);
    }

    [Fact]
    public void Decide_SiteCalendar_AppliesToItsSiteOnly()
    {
        var otherSite = Id(900);
        var defs = Site() with
        {
            Sites = [.. Site().Sites, new SiteDefinition(otherSite, "Europe/Berlin", MemberCurrent())],
            Calendars = [new CalendarDefinition(SiteCalendarId, "Other site", otherSite) { Entries = [Closed(1, new LocalDate(2025, 6, 2))] }],
        };
        AssertAllowed(defs.Decide(MondayNoon), DecisionPath.Rule);
        Assert.Null(PolicySnapshot.Compile(defs).CalendarForDoor(DoorId));
    }

    [Fact]
    public void Compile_RangeEndingBeforeItStarts_IsRefused() =>
        Assert.Throws<PolicyDefinitionException>(() => PolicySnapshot.Compile(
            WithCalendar(Site(), Closed(1, new LocalDate(2025, 6, 2), new LocalDate(2025, 6, 1)))));

    [Fact]
    public void CivilFromDayNumber_AgreesWithNodaTime()
    {
        var epoch = new LocalDate(1970, 1, 1);
        for (var date = new LocalDate(1900, 1, 1); date < new LocalDate(2200, 1, 1); date = date.PlusDays(13))
            Assert.Equal((date.Year, date.Month, date.Day), SiteCalendar.CivilFromDayNumber(Period.DaysBetween(epoch, date)));
    }

    [Fact]
    public void AutoUnlock_CalendarDay_ReplacesOrSuppressesWeeklyWindows()
    {
        var weekly = new WeeklyHours([.. Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None).Select(d => new TimeBlock(d, new LocalTime(8, 0), new LocalTime(18, 0)))]);
        var calendar = SiteCalendar.From([
            Closed(1, new LocalDate(2025, 12, 25)),
            new CalendarEntryDefinition(Id(850), "Short day", new LocalDate(2025, 12, 24), new LocalDate(2025, 12, 24), CalendarDayEffect.SpecialAutoUnlock)
            {
                Windows = [new DayWindow(new LocalTime(9, 0), new LocalTime(12, 0))],
            },
        ]);
        var schedule = new AutoUnlockSchedule(weekly, NewYork, calendar);
        Assert.True(schedule.IsLatchedAt(Local(NewYork, 2025, 12, 23, 8, 30)));
        Assert.False(schedule.IsLatchedAt(Local(NewYork, 2025, 12, 24, 8, 30)));
        Assert.True(schedule.IsLatchedAt(Local(NewYork, 2025, 12, 24, 9, 0)));
        Assert.False(schedule.IsLatchedAt(Local(NewYork, 2025, 12, 24, 12, 0)));
        Assert.False(schedule.IsLatchedAt(Local(NewYork, 2025, 12, 25, 10, 0)));
        Assert.True(schedule.IsLatchedAt(Local(NewYork, 2025, 12, 26, 10, 0)));
        // The scheduler wakes at each change: the short day's window, then no latch on the closed day.
        Assert.Equal(Local(NewYork, 2025, 12, 23, 18, 0), schedule.NextChange(Local(NewYork, 2025, 12, 23, 12, 0)));
        Assert.Equal(Local(NewYork, 2025, 12, 24, 9, 0), schedule.NextChange(Local(NewYork, 2025, 12, 23, 18, 0)));
        Assert.Equal(Local(NewYork, 2025, 12, 24, 12, 0), schedule.NextChange(Local(NewYork, 2025, 12, 24, 9, 0)));
        Assert.Equal(Local(NewYork, 2025, 12, 26, 8, 0), schedule.NextChange(Local(NewYork, 2025, 12, 24, 12, 0)));
    }

    [Fact]
    public void AutoUnlock_SpecialWindowsWithoutWeeklyOnes_StillLatch()
    {
        var calendar = SiteCalendar.From([
            new CalendarEntryDefinition(Id(851), "Open day", new LocalDate(2025, 3, 9), new LocalDate(2025, 3, 9), CalendarDayEffect.SpecialAutoUnlock)
            {
                Windows = [new DayWindow(new LocalTime(1, 0), new LocalTime(4, 0))],
            },
        ]);
        var schedule = new AutoUnlockSchedule(WeeklyHours.Always, NewYork, calendar);
        Assert.False(schedule.IsEmpty);
        // 9 March 2025 is New York's spring-forward day: 01:00 EST to 04:00 EDT is two hours.
        var opens = schedule.NextChange(Local(NewYork, 2025, 3, 8, 12, 0));
        Assert.Equal(Local(NewYork, 2025, 3, 9, 1, 0), opens);
        Assert.Equal(opens!.Value + Duration.FromHours(2), schedule.NextChange(opens.Value));
    }
}
