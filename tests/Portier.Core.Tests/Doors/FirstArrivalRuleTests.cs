using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Doors;
using Portier.Core.Model;
using Portier.Core.Policy;
using static Portier.Core.Tests.Fixture;

namespace Portier.Core.Tests.Doors;

/// <summary>The schedule of a first-to-arrive door, decided with today's first arrival as a live fact.</summary>
public sealed class FirstArrivalRuleTests
{
    private static readonly FirstArrivalRule Staff = new(FirstArrivalScope.Door) { PersonTypes = ["Staff"] };

    private static PolicyDefinitions Gated(FirstArrivalScope scope = FirstArrivalScope.Door) =>
        Site().WithDoor(d => d with { FirstArrival = Staff with { Scope = scope } });

    private static LiveFacts ArrivedAt(Instant at) => LiveFacts.OnlineAt(MondayNoon) with { FirstArrival = new FirstArrival(PersonId, DoorId, at) };

    private static DecisionExplanation Explain(PolicyDefinitions defs, LiveFacts facts, Instant? at = null) =>
        DecisionEngine.Explain(PolicySnapshot.Compile(defs), DecisionRequest.Schedule(DoorId, at ?? MondayNoon), facts);

    [Fact]
    public void Schedule_NoArrivalYet_IsAwaitingFirstArrival_AndTheExplainerNamesTheGroup()
    {
        var explained = Explain(Gated(), LiveFacts.OnlineAt(MondayNoon));
        Assert.Equal(ReasonCode.AwaitingFirstArrival, explained.Decision.Reason);
        var check = Assert.Single(explained.Checks, c => c.Check == DecisionCheck.FirstArrival);
        Assert.Equal("awaiting_first_arrival: auto-unlock waits for the first arrival of person type Staff, at this door", check.Detail);
    }

    [Fact]
    public void Schedule_ArrivalToday_IsGrantedByTheSchedule_WithWhoStartedIt()
    {
        var explained = Explain(Gated(), ArrivedAt(MondayNoon - Duration.FromHours(4)));
        Assert.True(explained.Decision.Allowed);
        Assert.Equal(DecisionPath.Schedule, explained.Decision.Path);
        Assert.Contains("started by person", Assert.Single(explained.Checks, c => c.Check == DecisionCheck.FirstArrival).Detail, StringComparison.Ordinal);
        Assert.Contains("at 08:00:00", explained.Checks.Single(c => c.Check == DecisionCheck.FirstArrival).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Schedule_ArrivalJustBeforeLocalMidnight_DoesNotCarryOverToTheNextDay()
    {
        var lastNight = Local(NewYork, 2025, 6, 1, 23, 59);
        AssertDenied(Explain(Gated(), ArrivedAt(lastNight)).Decision, ReasonCode.AwaitingFirstArrival);
        AssertAllowed(Explain(Gated(), ArrivedAt(Local(NewYork, 2025, 6, 2, 0, 0))).Decision, DecisionPath.Schedule);
    }

    [Fact]
    public void Schedule_OnTheSpringForwardDay_TheDayStartsAtLocalMidnightNotTwentyFourHoursBeforeTheNext()
    {
        // New York springs forward on 2025-03-09 at 02:00: that local day is 23 hours long.
        var noon = Local(NewYork, 2025, 3, 9, 12, 0);
        var arrivedAfterMidnight = Local(NewYork, 2025, 3, 9, 0, 30);
        Assert.Equal(Duration.FromHours(23), FirstArrivalRule.NextDayStart(noon, NewYork) - FirstArrivalRule.DayStart(noon, NewYork));
        AssertAllowed(Explain(Gated(), ArrivedAt(arrivedAfterMidnight), noon).Decision, DecisionPath.Schedule);
        AssertDenied(Explain(Gated(), ArrivedAt(arrivedAfterMidnight - Duration.FromHours(1)), noon).Decision, ReasonCode.AwaitingFirstArrival);
    }

    [Fact]
    public void Schedule_ForceClosedOrUngatedDoor_FollowsTheUsualChecks()
    {
        AssertDenied(Explain(Gated().WithDoor(d => d with { Maintenance = MaintenanceMode.ForceClosed }), LiveFacts.OnlineAt(MondayNoon)).Decision, ReasonCode.DoorForceClosed);
        AssertAllowed(Explain(Site(), LiveFacts.OnlineAt(MondayNoon)).Decision, DecisionPath.Schedule);
    }

    [Fact]
    public void DoorsStartedBy_ScopeDoorOnlyItsOwnDoor_ScopeSiteAnyDoor_AndOnlyGroupMembers()
    {
        var staff = new PersonDefinition(PersonId, "Staff", "Current");
        var member = new PersonDefinition(Id(40), "Member", "Current");
        var doorScoped = Site().WithDoor(d => d with { FirstArrival = Staff }) with { People = [staff, member] };
        var twoDoors = doorScoped;
        var snapshot = PolicySnapshot.Compile(twoDoors);
        Assert.Equal([DoorId], snapshot.DoorsStartedBy(DoorId, PersonId));
        Assert.Empty(snapshot.DoorsStartedBy(OtherDoorId, PersonId));
        Assert.Empty(snapshot.DoorsStartedBy(DoorId, member.Id));

        var siteScoped = PolicySnapshot.Compile(twoDoors with
        {
            Doors = [.. twoDoors.Doors.Select(d => d.Id == DoorId ? d with { FirstArrival = Staff with { Scope = FirstArrivalScope.Site } } : d)],
        });
        Assert.Equal([DoorId], siteScoped.DoorsStartedBy(OtherDoorId, PersonId));
        Assert.Equal([PersonId], siteScoped.ArrivalGroupOf(DoorId));
    }
}
