using Portier.Core.Bundles;
using Portier.Core.Tests.Bundles;

namespace Portier.Core.Tests.Lockdowns;

/// <summary>An active lockdown refuses every way in but its responders' and never an exit; an evacuation releases its doors; rank decides between plans.</summary>
public sealed class LockdownRuleTests
{
    private const string Card = "C0FFEE";
    private static readonly Guid Guard = Id(50);
    private static readonly Guid Plan = Id(60);
    private static readonly Instant Noon = MondayNoon;

    private static LockdownDefinition Lockdown(int rank = 0, Guid? id = null) =>
        new(id ?? Plan, SiteId, LockdownKind.Lockdown, rank) { DoorIds = [DoorId], ResponderPersonTypes = ["Security"], ResponderTags = ["first-aid"] };

    private static LockdownDefinition Evacuation(int rank = 0, Guid? id = null) =>
        new(id ?? Id(61), SiteId, LockdownKind.Evacuation, rank) { DoorIds = [DoorId] };

    /// <summary>The fixture's Member with a card, a security guard with a site-wide grant, and the given plans active.</summary>
    private static PolicyDefinitions Building(params LockdownDefinition[] plans) =>
        Site().WithPerson(new PersonDefinition(Guard, "Security", "Current")).WithGrant(new GrantDefinition(Id(70), Guard, SiteId) { SiteWide = true }) with
        {
            Credentials = [new CredentialDefinition(Id(40), PersonId, CredentialKind.Card, Card)],
            Lockdowns = plans,
        };

    [Fact]
    public void Decide_MemberAtLockedDownDoor_DeniesWithLockdownOnEveryOrigin()
    {
        var snapshot = PolicySnapshot.Compile(Building(Lockdown()));
        AssertDenied(Fixture.Decide(snapshot, DecisionRequest.Scan(CredentialKind.Card, Card, DoorId, Noon)), ReasonCode.Lockdown);
        AssertDenied(Fixture.Decide(snapshot, DecisionRequest.AppUnlock(PersonId, DoorId, Noon, null)), ReasonCode.Lockdown);
        AssertDenied(Fixture.Decide(snapshot, DecisionRequest.ForPerson(PersonId, DoorId, Noon)), ReasonCode.Lockdown);
        AssertDenied(Fixture.Decide(snapshot, DecisionRequest.Schedule(DoorId, Noon)), ReasonCode.Lockdown);
        // The other door is not in the plan.
        AssertAllowed(Fixture.Decide(snapshot, DecisionRequest.ForPerson(PersonId, OtherDoorId, Noon)), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_TemporaryGrantDuringLockdown_DeniesWithLockdown()
    {
        var defs = Building(Lockdown()) with { Sites = [new SiteDefinition(SiteId, "America/New_York", RuleSet.Nobody)] };
        defs = defs.WithGrant(Grant() with { DoorIds = [DoorId], ValidFrom = Noon - Duration.FromHours(1), ValidUntil = Noon + Duration.FromHours(1) });
        AssertDenied(defs.Decide(Noon), ReasonCode.Lockdown);
        AssertAllowed((defs with { Lockdowns = [] }).Decide(Noon), DecisionPath.TemporaryGrant);
    }

    [Fact]
    public void Decide_Responders_PassByTypeTagOrList_AndStillNeedTheirAccess()
    {
        var byType = PolicySnapshot.Compile(Building(Lockdown()));
        AssertAllowed(Fixture.Decide(byType, DecisionRequest.ForPerson(Guard, DoorId, Noon)), DecisionPath.Grant);

        var byTag = Building(Lockdown()).WithPerson(Member() with { CustomTags = ["first-aid"] });
        AssertAllowed(byTag.Decide(Noon), DecisionPath.Rule);

        var listed = Building(Lockdown() with { ResponderPersonIds = [PersonId, Id(999)] });
        AssertAllowed(listed.Decide(Noon), DecisionPath.Rule);

        // A responder whom no rule or grant admits is still refused, for that reason.
        var unauthorised = Building(Lockdown() with { ResponderPersonIds = [PersonId] }).WithPerson(Member("Lapsed"));
        AssertDenied(unauthorised.Decide(Noon), ReasonCode.NoMatchingRuleOrGrant);
    }

    [Fact]
    public void Decide_ExitPassage_IsNeverRefusedByALockdown()
    {
        var exitReader = PolicySnapshot.Compile(Building(Lockdown()));
        AssertAllowed(Fixture.Decide(exitReader, DecisionRequest.Scan(CredentialKind.Card, Card, DoorId, Noon, DoorDirection.Out)), DecisionPath.Rule);
        AssertDenied(Fixture.Decide(exitReader, DecisionRequest.Scan(CredentialKind.Card, Card, DoorId, Noon, DoorDirection.In)), ReasonCode.Lockdown);

        var exitDoor = PolicySnapshot.Compile(Building(Lockdown()).WithDoor(d => d with { Direction = DoorDirection.Out }));
        AssertAllowed(Fixture.Decide(exitDoor, DecisionRequest.AppUnlock(PersonId, DoorId, Noon, null)), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_AdminOverrideUnderLockdown_OpensAsALockdownOverride()
    {
        var snapshot = PolicySnapshot.Compile(Building(Lockdown()));
        AssertAllowed(Fixture.Decide(snapshot, DecisionRequest.AdminOverride(DoorId, Noon)), DecisionPath.LockdownOverride);
        AssertAllowed(Fixture.Decide(snapshot, DecisionRequest.AdminOverride(OtherDoorId, Noon)), DecisionPath.AdminOverride);
    }

    [Fact]
    public void Decide_Evacuation_HoldsTheDoorOpenAndRefusesNobodyForIt()
    {
        var snapshot = PolicySnapshot.Compile(Building(Evacuation()));
        var member = Fixture.Decide(snapshot, DecisionRequest.ForPerson(PersonId, DoorId, Noon));
        AssertAllowed(member, DecisionPath.Rule);
        Assert.True(member.DoorHeldOpen);
        Assert.True(Fixture.Decide(snapshot, DecisionRequest.Schedule(DoorId, Noon)).DoorHeldOpen);
        Assert.Equal(new DoorLockdown(Id(61), LockdownKind.Evacuation), snapshot.LockdownAt(DoorId));
        Assert.Null(snapshot.LockdownAt(OtherDoorId));
    }

    [Fact]
    public void Decide_SeveralPlans_TheHighestRankGoverns_AndATieReleases()
    {
        AssertDenied(Building(Lockdown(rank: 2), Evacuation(rank: 1)).Decide(Noon), ReasonCode.Lockdown);
        Assert.True(Building(Lockdown(rank: 1), Evacuation(rank: 2)).Decide(Noon).DoorHeldOpen);
        Assert.True(Building(Lockdown(rank: 1), Evacuation(rank: 1)).Decide(Noon).DoorHeldOpen);

        // Of two lockdowns the higher ranked one's responders count.
        var strict = Lockdown(rank: 5, id: Id(62)) with { ResponderPersonTypes = [], ResponderTags = [] };
        var snapshot = PolicySnapshot.Compile(Building(Lockdown(rank: 1), strict));
        Assert.Equal(Id(62), snapshot.LockdownAt(DoorId)!.Value.PlanId);
        AssertDenied(Fixture.Decide(snapshot, DecisionRequest.ForPerson(Guard, DoorId, Noon)), ReasonCode.Lockdown);
    }

    [Fact]
    public void Compile_SiteWideAndScopePlans_CoverTheirDoors()
    {
        var siteWide = PolicySnapshot.Compile(Building(Lockdown() with { DoorIds = [], SiteWide = true }));
        Assert.NotNull(siteWide.LockdownAt(OtherDoorId));
        var scoped = PolicySnapshot.Compile(Building(Lockdown() with { DoorIds = [], ScopeIds = [ServiceEntries] }));
        Assert.NotNull(scoped.LockdownAt(DoorId));
        Assert.Null(scoped.LockdownAt(OtherDoorId));
    }

    [Fact]
    public void Explain_LockdownRefusal_NamesTheLockdownCheck()
    {
        var explanation = DecisionEngine.Explain(PolicySnapshot.Compile(Building(Lockdown())), DecisionRequest.ForPerson(PersonId, DoorId, Noon), LiveFacts.OnlineAt(Noon));
        var last = explanation.Checks[^1];
        Assert.Equal(DecisionCheck.Lockdown, last.Check);
        Assert.Equal(ReasonCode.Lockdown, last.Failure);
        Assert.Equal("lockdown", ReasonCode.Lockdown.ToCode());
        Assert.True(ReasonCodes.TryParse("lockdown", out var parsed) && parsed == ReasonCode.Lockdown);
    }

    [Fact]
    public void Bundle_CarriesTheLockdown_SoAControllerAloneRefusesAndAdmitsAlike()
    {
        var spec = new ControllerBundleSpec(SiteId, Id(41), [new ControllerDoor(DoorId, DoorFailMode.Secure, OfflineLiveFacts.CountLocally, [])], 60, RichPolicy.CredentialKey);
        var before = BundleBuilder.Build(Building(), spec, 1, DateTimeOffset.UnixEpoch);
        var during = BundleBuilder.Build(Building(Lockdown(), Evacuation(id: Id(63)) with { DoorIds = [OtherDoorId] }), spec, 2, DateTimeOffset.UnixEpoch);
        // The evacuation reaches none of this controller's doors and is left out.
        Assert.Equal(Plan, Assert.Single(during.Lockdowns!).Id);

        var delta = BundleDiff.Between(before, during)!;
        Assert.Single(delta.Lockdowns!);
        var policy = RichPolicy.Receive(before);
        Assert.True(ControllerPolicy.TryApply(policy, delta, SiteId, Id(41), out var locked, out var error), error);
        Assert.Equal(ReasonCode.Lockdown,
            EdgeDecisions.Decide(locked, locked.Doors[DoorId], RichPolicy.CredentialKey, CredentialKind.Card, Card, Noon, Noon, default).Reason);
        Assert.True(EdgeDecisions.Decide(locked, locked.Doors[DoorId], RichPolicy.CredentialKey, CredentialKind.Card, Card, Noon, Noon, default,
            new BundleReader("exit", "card", "exit")).Allowed);

        var ended = BundleDiff.Between(during, BundleBuilder.Build(Building(), spec, 3, DateTimeOffset.UnixEpoch))!;
        Assert.Equal([Plan], ended.RemovedLockdowns!);
        Assert.True(ControllerPolicy.TryApply(locked, ended, SiteId, Id(41), out var released, out error), error);
        Assert.True(EdgeDecisions.Decide(released, released.Doors[DoorId], RichPolicy.CredentialKey, CredentialKind.Card, Card, Noon, Noon, default).Allowed);
    }
}
