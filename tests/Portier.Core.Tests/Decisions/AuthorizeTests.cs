namespace Portier.Core.Tests.Decisions;

/// <summary>The authorization step alone: whether a person holds a standing permission behind a door's block, maintenance or lockdown.</summary>
public class AuthorizeTests
{
    private static ReasonCode Authorize(PolicyDefinitions defs, Instant at, Guid? person = null) =>
        DecisionEngine.Authorize(PolicySnapshot.Compile(defs), person ?? PersonId, DoorId, at);

    [Fact]
    public void Authorize_BlockedDoorTheRulesAdmit_GrantsWhereTheDecisionSaysDoorBlocked()
    {
        var defs = Site().WithDoor(d => d with { BlockAllAccess = true });
        AssertDenied(defs.Decide(MondayNoon), ReasonCode.DoorBlocked);
        Assert.Equal(ReasonCode.Granted, Authorize(defs, MondayNoon));
    }

    [Fact]
    public void Authorize_ForceClosedDoorWithoutRuleOrGrant_NoMatchingRuleOrGrant()
    {
        var defs = Site().WithDoor(d => d with { Maintenance = MaintenanceMode.ForceClosed }).WithPerson(Member("Lapsed"));
        Assert.Equal(ReasonCode.NoMatchingRuleOrGrant, Authorize(defs, MondayNoon));
    }

    [Fact]
    public void Authorize_RuleMatchedOutsideItsHours_OutsideAccessHours()
    {
        var defs = Site(MemberCurrent(EveryDay((6, 10))));
        Assert.Equal(ReasonCode.OutsideAccessHours, Authorize(defs, MondayNoon));
        Assert.Equal(defs.Decide(MondayNoon).Reason, Authorize(defs, MondayNoon));
    }

    [Fact]
    public void Authorize_UnknownPerson_UnknownPerson() =>
        Assert.Equal(ReasonCode.UnknownPerson, Authorize(Site(), MondayNoon, Id(999)));
}
