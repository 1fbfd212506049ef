namespace Portier.Core.Tests.Decisions;

public class PersonAndDoorTests
{
    [Fact]
    public void Decide_KillSwitchOff_DeniesAccessDisabledEvenWithGrant()
    {
        var defs = Site().WithPerson(Member() with { AccessEnabled = false }).WithGrant(Grant() with { SiteWide = true });
        AssertDenied(defs.Decide(MondayNoon), ReasonCode.AccessDisabled);
    }

    [Fact]
    public void Decide_Blocklisted_DeniesBlocklisted() =>
        AssertDenied(Site().WithPerson(Member() with { Blocklisted = true }).Decide(MondayNoon), ReasonCode.Blocklisted);

    [Fact]
    public void Decide_KillSwitchOffAndBlocklisted_ReportsAccessDisabledFirst() =>
        AssertDenied(Site().WithPerson(Member() with { AccessEnabled = false, Blocklisted = true }).Decide(MondayNoon),
            ReasonCode.AccessDisabled);

    [Fact]
    public void Decide_DoorBlocksAllAccess_DeniesRulesAndGrants()
    {
        var defs = Site().WithDoor(d => d with { BlockAllAccess = true }).WithGrant(Grant() with { DoorIds = [DoorId] });
        AssertDenied(defs.Decide(MondayNoon), ReasonCode.DoorBlocked);
    }

    [Fact]
    public void Decide_ForceClosed_DeniesDoorForceClosed() =>
        AssertDenied(Site().WithDoor(d => d with { Maintenance = MaintenanceMode.ForceClosed }).Decide(MondayNoon),
            ReasonCode.DoorForceClosed);

    [Fact]
    public void Decide_ForceOpen_DecidesNormallyAndReportsDoorHeldOpen()
    {
        var defs = Site().WithDoor(d => d with { Maintenance = MaintenanceMode.ForceOpen });
        var decision = defs.Decide(MondayNoon);
        AssertAllowed(decision, DecisionPath.Rule);
        Assert.True(decision.DoorHeldOpen);
        AssertDenied(defs.WithPerson(Member("Lapsed")).Decide(MondayNoon), ReasonCode.NoMatchingRuleOrGrant);
    }

    [Fact]
    public void Decide_UnknownDoor_DeniesUnknownDoor() =>
        AssertDenied(Site().Decide(MondayNoon, Id(999)), ReasonCode.UnknownDoor);

    [Fact]
    public void Decide_UnknownPerson_DeniesUnknownPerson() =>
        AssertDenied(Decide(PolicySnapshot.Compile(Site()), DecisionRequest.ForPerson(Id(999), DoorId, MondayNoon)),
            ReasonCode.UnknownPerson);

    [Fact]
    public void Decide_HeartbeatFourMinutes59SecondsAgo_Online()
    {
        var facts = new LiveFacts(0, MondayNoon - NodaTime.Duration.FromSeconds(299));
        AssertAllowed(Site().Decide(MondayNoon, facts: facts), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_HeartbeatExactlyFiveMinutesAgo_Online()
    {
        var facts = new LiveFacts(0, MondayNoon - LiveFacts.HeartbeatWindow);
        AssertAllowed(Site().Decide(MondayNoon, facts: facts), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_HeartbeatFiveMinutes1SecondAgo_DeniesDeviceOffline()
    {
        var facts = new LiveFacts(0, MondayNoon - NodaTime.Duration.FromSeconds(301));
        AssertDenied(Site().Decide(MondayNoon, facts: facts), ReasonCode.DeviceOffline);
    }

    [Fact]
    public void Decide_NoHeartbeatEver_DeniesDeviceOffline() =>
        AssertDenied(Site().Decide(MondayNoon, facts: new LiveFacts(0, null)), ReasonCode.DeviceOffline);

    [Fact]
    public void Decide_DeniedPersonAtOfflineDoor_ReportsAuthorizationFirst() =>
        AssertDenied(Site().WithPerson(Member("Lapsed")).Decide(MondayNoon, facts: new LiveFacts(0, null)),
            ReasonCode.NoMatchingRuleOrGrant);

    [Fact]
    public void Explain_AllowedDecision_ListsEveryCheckInOrder()
    {
        var snapshot = PolicySnapshot.Compile(Site());
        var explanation = DecisionEngine.Explain(snapshot, DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon), LiveFacts.OnlineAt(MondayNoon));

        Assert.True(explanation.Decision.Allowed);
        Assert.Equal(
            [DecisionCheck.AccessEnabled, DecisionCheck.Blocklist, DecisionCheck.DoorBlock, DecisionCheck.DoorMaintenance, DecisionCheck.Lockdown, DecisionCheck.HolidayCalendar,
             DecisionCheck.RulePath, DecisionCheck.GrantPath, DecisionCheck.Qualifications, DecisionCheck.ZonePassback, DecisionCheck.ZoneCapacity, DecisionCheck.Geofence, DecisionCheck.Device,
             DecisionCheck.TwoPerson],
            explanation.Checks.Select(c => c.Check));
        Assert.DoesNotContain(explanation.Checks, c => c.Outcome == CheckOutcome.Failed);
    }

    [Fact]
    public void Explain_DeniedDecision_EndsWithTheFailingCheck()
    {
        var snapshot = PolicySnapshot.Compile(Site().WithPerson(Member() with { Blocklisted = true }));
        var explanation = DecisionEngine.Explain(snapshot, DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon), LiveFacts.OnlineAt(MondayNoon));

        var last = explanation.Checks[^1];
        Assert.Equal(DecisionCheck.Blocklist, last.Check);
        Assert.Equal(CheckOutcome.Failed, last.Outcome);
        Assert.Equal(ReasonCode.Blocklisted, last.Failure);
    }

    [Fact]
    public void ReasonCodes_EveryCode_HasDistinctSnakeCaseStringThatParsesBack()
    {
        var codes = Enum.GetValues<ReasonCode>().Select(r => r.ToCode()).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[a-z]+(_[a-z]+)*$", c));
        foreach (var reason in Enum.GetValues<ReasonCode>())
        {
            Assert.True(ReasonCodes.TryParse(reason.ToCode(), out var parsed));
            Assert.Equal(reason, parsed);
        }
        Assert.Equal("no_matching_rule_or_grant", ReasonCode.NoMatchingRuleOrGrant.ToCode());
        Assert.Equal("temporary_grant", DecisionPath.TemporaryGrant.ToCode());
    }

    [Fact]
    public void Compile_GrantForUnknownDoor_Throws() =>
        Assert.Throws<PolicyDefinitionException>(() => PolicySnapshot.Compile(Site().WithGrant(Grant() with { DoorIds = [Id(999)] })));

    [Fact]
    public void Compile_TwoPeopleWithOneId_Throws()
    {
        var defs = Site();
        Assert.Throws<PolicyDefinitionException>(() => PolicySnapshot.Compile(defs with { People = [Member(), Member("Lapsed")] }));
    }

    [Fact]
    public void Compile_GrantForUnknownPerson_Throws() =>
        Assert.Throws<PolicyDefinitionException>(() => PolicySnapshot.Compile(Site().WithGrant(new GrantDefinition(Id(100), Id(998), SiteId))));

    [Fact]
    public void Compile_PersonWithGrant_LookupByIdFindsTheRecordWithItsGrants()
    {
        // The person index is built before the grants write each record's range; a decision by id must see the range.
        var defs = Site().WithGrant(Grant() with { SiteWide = true }).WithPerson(new PersonDefinition(PersonId, "Member", "Lapsed"));
        AssertAllowed(defs.Decide(MondayNoon), DecisionPath.Grant);
    }

    [Fact]
    public void Compile_UnknownTimeZone_Throws() =>
        Assert.Throws<PolicyDefinitionException>(() => PolicySnapshot.Compile(Site(zone: "Mars/Olympus_Mons")));

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public void Compile_HoldTimeOutsideOneToThirtySeconds_Throws(int seconds) =>
        Assert.Throws<PolicyDefinitionException>(() => PolicySnapshot.Compile(Site().WithDoor(d => d with { HoldTime = Duration.FromSeconds(seconds) })));

    [Fact]
    public void DoorDefinition_Defaults_TenSecondHoldBothDirectionsNormalMode()
    {
        var door = new DoorDefinition(DoorId, SiteId);
        Assert.Equal(Duration.FromSeconds(10), door.HoldTime);
        Assert.Equal(DoorDirection.Both, door.Direction);
        Assert.Equal(MaintenanceMode.Normal, door.Maintenance);
    }
}
