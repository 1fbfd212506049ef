using Portier.Core.Bundles;
using Portier.Core.Tests.Bundles;

namespace Portier.Core.Tests.TwoPerson;

/// <summary>A two-person door opens only for a second, different authorised person within its window; the first waits.</summary>
public sealed class TwoPersonRuleTests
{
    private const string Card = "C0FFEE";
    private const string SecondCard = "BEEF01";
    private static readonly Guid Second = Id(50);
    private static readonly Guid Stranger = Id(51);
    private static readonly Instant Noon = MondayNoon;

    /// <summary>The fixture's Member and a second member, each with a card, at a door needing two people within <paramref name="seconds"/>.</summary>
    private static PolicyDefinitions ServerRoom(int seconds = 10) =>
        Site().WithPerson(new PersonDefinition(Second, "Member", "Current")).WithPerson(new PersonDefinition(Stranger, "Visitor", "Current"))
            .WithDoor(d => d with { TwoPersonWindow = Duration.FromSeconds(seconds) }) with
        {
            Credentials = [new CredentialDefinition(Id(40), PersonId, CredentialKind.Card, Card), new CredentialDefinition(Id(41), Second, CredentialKind.Card, SecondCard)],
        };

    private static LiveFacts Waiting(Guid person, Instant since) => LiveFacts.OnlineAt(Noon) with { Waiting = new TwoPersonWait(person, since) };

    [Fact]
    public void Decide_NobodyWaiting_DeniesTwoPersonWaiting()
    {
        var snapshot = PolicySnapshot.Compile(ServerRoom());
        AssertDenied(Fixture.Decide(snapshot, DecisionRequest.Scan(CredentialKind.Card, Card, DoorId, Noon)), ReasonCode.TwoPersonWaiting);
        AssertDenied(Fixture.Decide(snapshot, DecisionRequest.AppUnlock(PersonId, DoorId, Noon, null)), ReasonCode.TwoPersonWaiting);
        Assert.Equal("two_person_waiting", ReasonCode.TwoPersonWaiting.ToCode());
        Assert.True(ReasonCodes.TryParse("two_person_waiting", out var parsed) && parsed == ReasonCode.TwoPersonWaiting);
    }

    [Fact]
    public void Decide_OtherPersonWaitingWithinWindow_GrantsNamingTheCompanion()
    {
        var decision = Fixture.Decide(PolicySnapshot.Compile(ServerRoom()), DecisionRequest.Scan(CredentialKind.Card, SecondCard, DoorId, Noon),
            Waiting(PersonId, Noon - Duration.FromSeconds(10)));
        AssertAllowed(decision, DecisionPath.Rule);
        Assert.Equal(PersonId, decision.Companion);
    }

    [Fact]
    public void Decide_SamePersonAgain_StillWaits() =>
        AssertDenied(Fixture.Decide(PolicySnapshot.Compile(ServerRoom()), DecisionRequest.Scan(CredentialKind.Card, Card, DoorId, Noon),
            Waiting(PersonId, Noon - Duration.FromSeconds(2))), ReasonCode.TwoPersonWaiting);

    [Fact]
    public void Decide_WaitOlderThanTheWindow_WaitsAfresh()
    {
        var snapshot = PolicySnapshot.Compile(ServerRoom(seconds: 5));
        var request = DecisionRequest.Scan(CredentialKind.Card, SecondCard, DoorId, Noon);
        AssertDenied(Fixture.Decide(snapshot, request, Waiting(PersonId, Noon - Duration.FromMilliseconds(5001))), ReasonCode.TwoPersonWaiting);
        AssertAllowed(Fixture.Decide(snapshot, request, Waiting(PersonId, Noon - Duration.FromSeconds(5))), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_WaitRecordedJustAfterARacingAttempt_StillPairs() =>
        AssertAllowed(Fixture.Decide(PolicySnapshot.Compile(ServerRoom()), DecisionRequest.Scan(CredentialKind.Card, SecondCard, DoorId, Noon),
            Waiting(PersonId, Noon + Duration.FromMilliseconds(3))), DecisionPath.Rule);

    [Fact]
    public void Decide_UnauthorisedSecondPerson_RefusedForTheirOwnReasonAndNeverPairs()
    {
        var decision = Fixture.Decide(PolicySnapshot.Compile(ServerRoom()), DecisionRequest.ForPerson(Stranger, DoorId, Noon), Waiting(PersonId, Noon));
        AssertDenied(decision, ReasonCode.NoMatchingRuleOrGrant);
        Assert.Null(decision.Companion);
    }

    [Fact]
    public void Decide_AdminOverrideAndSchedule_NotSubjectToTheRule()
    {
        var snapshot = PolicySnapshot.Compile(ServerRoom() with { });
        AssertAllowed(Fixture.Decide(snapshot, DecisionRequest.AdminOverride(DoorId, Noon)), DecisionPath.AdminOverride);
        AssertAllowed(Fixture.Decide(snapshot, DecisionRequest.Schedule(DoorId, Noon)), DecisionPath.Schedule);
    }

    [Fact]
    public void Decide_OtherDoor_OpensForOnePerson() =>
        AssertAllowed(Fixture.Decide(PolicySnapshot.Compile(ServerRoom()), DecisionRequest.Scan(CredentialKind.Card, Card, OtherDoorId, Noon)), DecisionPath.Rule);

    [Fact]
    public void Explain_Waiting_SaysTheFirstWaitsForASecondPerson()
    {
        var explanation = DecisionEngine.Explain(PolicySnapshot.Compile(ServerRoom()), DecisionRequest.ForPerson(PersonId, DoorId, Noon), LiveFacts.OnlineAt(Noon));
        var last = explanation.Checks[^1];
        Assert.Equal(DecisionCheck.TwoPerson, last.Check);
        Assert.Equal(ReasonCode.TwoPersonWaiting, last.Failure);
        Assert.Contains("waits up to 10 s for a second authorised person", last.Detail, StringComparison.Ordinal);

        var paired = DecisionEngine.Explain(PolicySnapshot.Compile(ServerRoom()), DecisionRequest.ForPerson(Second, DoorId, Noon), Waiting(PersonId, Noon));
        Assert.Equal(CheckOutcome.Passed, paired.Checks[^1].Outcome);
        Assert.Contains(PersonId.ToString(), paired.Checks[^1].Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(121)]
    public void Compile_WindowOutOfBounds_Throws(int seconds) =>
        Assert.Throws<PolicyDefinitionException>(() => PolicySnapshot.Compile(ServerRoom(seconds)));

    [Fact]
    public void Bundle_CarriesTheWindow_SoAControllerAlonePairsWithTheOneItSawWaiting()
    {
        var spec = new ControllerBundleSpec(SiteId, Id(42), [new ControllerDoor(DoorId, DoorFailMode.Secure, OfflineLiveFacts.CountLocally, [])], 60, RichPolicy.CredentialKey);
        var body = BundleBuilder.Build(ServerRoom(seconds: 30), spec, 1, DateTimeOffset.UnixEpoch);
        Assert.Equal(30, Assert.Single(body.Doors!).TwoPersonSeconds);
        var policy = RichPolicy.Receive(body);
        var door = policy.Doors[DoorId];

        var first = EdgeDecisions.Decide(policy, door, RichPolicy.CredentialKey, CredentialKind.Card, Card, Noon, Noon, default);
        Assert.Equal(ReasonCode.TwoPersonWaiting, first.Reason);
        var seen = new LocalCounts(0, 0) { Waiting = new TwoPersonWait(PersonId, Noon) };
        var second = EdgeDecisions.Decide(policy, door, RichPolicy.CredentialKey, CredentialKind.Card, SecondCard, Noon + Duration.FromSeconds(20), Noon, seen);
        Assert.True(second.Allowed);
        Assert.Equal(PersonId, second.Companion);
        Assert.Equal(ReasonCode.TwoPersonWaiting,
            EdgeDecisions.Decide(policy, door, RichPolicy.CredentialKey, CredentialKind.Card, Card, Noon + Duration.FromSeconds(20), Noon, seen).Reason);
    }
}
