using Portier.Core.Bundles;
using Portier.Core.Tests.Bundles;

namespace Portier.Core.Tests.Decisions;

public class PassbackTests
{
    private static readonly ZonePresence Inside = new(PresenceState.Inside, MondayNoon - Duration.FromMinutes(30));
    private static readonly ZonePresence Outside = new(PresenceState.Outside, MondayNoon - Duration.FromMinutes(30));

    private static PolicySnapshot Zone(PassbackRule rule, DoorDirection direction = DoorDirection.Both, int? capacity = null) =>
        PolicySnapshot.Compile((Site() with { Zones = [new ZoneDefinition(ZoneId, SiteId) { Passback = rule, Capacity = capacity }] })
            .WithDoor(d => d with { ZoneId = ZoneId, Direction = direction }));

    private static Decision Pass(PassbackRule rule, DoorDirection way, ZonePresence presence, Instant? at = null, int occupancy = 0) =>
        Decide(Zone(rule, capacity: 5), DecisionRequest.ForPerson(PersonId, DoorId, at ?? MondayNoon) with { Direction = way },
            new LiveFacts(occupancy, at ?? MondayNoon) { Presence = presence });

    [Fact]
    public void Decide_HardSecondEntryWithoutExit_DeniesPassbackViolation()
    {
        var decision = Pass(new PassbackRule(PassbackMode.Hard), DoorDirection.In, Inside);
        AssertDenied(decision, ReasonCode.PassbackViolation);
        Assert.Equal(PassbackViolation.EntryWithoutExit, decision.Passback);
        Assert.Equal("passback_violation", decision.Reason.ToCode());
    }

    [Theory]
    [InlineData(PresenceState.Unknown)]
    [InlineData(PresenceState.Outside)]
    public void Decide_HardEntryFromOutsideOrUnknown_AllowedWithoutViolation(PresenceState state)
    {
        var decision = Pass(new PassbackRule(PassbackMode.Hard), DoorDirection.In, new ZonePresence(state));
        AssertAllowed(decision, DecisionPath.Rule);
        Assert.Equal(PassbackViolation.None, decision.Passback);
    }

    [Fact]
    public void Decide_SoftSecondEntry_AllowedAndViolationRecorded()
    {
        var decision = Pass(new PassbackRule(PassbackMode.Soft), DoorDirection.In, Inside);
        AssertAllowed(decision, DecisionPath.Rule);
        Assert.Equal(PassbackViolation.EntryWithoutExit, decision.Passback);
    }

    [Theory]
    [InlineData(PassbackMode.Hard)]
    [InlineData(PassbackMode.Soft)]
    public void Decide_ExitWithoutEntry_NeverRefusedButRecorded(PassbackMode mode)
    {
        var decision = Pass(new PassbackRule(mode), DoorDirection.Out, Outside);
        AssertAllowed(decision, DecisionPath.Rule);
        Assert.Equal(PassbackViolation.ExitWithoutEntry, decision.Passback);
    }

    [Fact]
    public void Decide_ExitFromUnknownPresence_IsNoViolation() =>
        Assert.Equal(PassbackViolation.None, Pass(new PassbackRule(PassbackMode.Hard), DoorDirection.Out, default).Passback);

    [Fact]
    public void Decide_TimedReentryWithinMinutes_DeniedUntilTheMinutesPass()
    {
        var rule = new PassbackRule(PassbackMode.Timed, 45);
        var entered = new ZonePresence(PresenceState.Outside, MondayNoon);
        var early = Pass(rule, DoorDirection.In, entered, MondayNoon + Duration.FromMinutes(44));
        AssertDenied(early, ReasonCode.PassbackViolation);
        Assert.Equal(PassbackViolation.ReentryTooSoon, early.Passback);
        AssertAllowed(Pass(rule, DoorDirection.In, entered, MondayNoon + Duration.FromMinutes(45)), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_TimedExit_NeverAViolation() =>
        Assert.Equal(PassbackViolation.None, Pass(new PassbackRule(PassbackMode.Timed, 10), DoorDirection.Out, Outside).Passback);

    [Fact]
    public void Decide_Off_IgnoresPresence() =>
        AssertAllowed(Pass(PassbackRule.Off, DoorDirection.In, Inside), DecisionPath.Rule);

    [Fact]
    public void Decide_HardViolationInFullZone_ReportsPassbackBeforeCapacity() =>
        AssertDenied(Pass(new PassbackRule(PassbackMode.Hard), DoorDirection.In, Inside, occupancy: 5), ReasonCode.PassbackViolation);

    [Fact]
    public void Decide_AdminOverrideForPersonInside_OpensAndRecordsViolation()
    {
        var decision = Decide(Zone(new PassbackRule(PassbackMode.Hard), DoorDirection.In),
            DecisionRequest.AdminOverride(DoorId, MondayNoon, PersonId), new LiveFacts(0, MondayNoon) { Presence = Inside });
        AssertAllowed(decision, DecisionPath.AdminOverride);
        Assert.Equal(PassbackViolation.EntryWithoutExit, decision.Passback);
    }

    [Fact]
    public void Explain_HardViolation_HasPassbackLineBetweenTicketTypeAndCapacity()
    {
        var explained = DecisionEngine.Explain(Zone(new PassbackRule(PassbackMode.Hard), DoorDirection.In),
            DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon), new LiveFacts(0, MondayNoon) { Presence = Inside });
        var checks = explained.Checks.Select(c => c.Check).ToList();
        Assert.Equal(checks.IndexOf(DecisionCheck.ZoneTicketType) + 1, checks.IndexOf(DecisionCheck.ZonePassback));
        var line = explained.Checks.Single(c => c.Check == DecisionCheck.ZonePassback);
        Assert.Equal((CheckOutcome.Failed, ReasonCode.PassbackViolation), (line.Outcome, line.Failure));
        Assert.Contains("already inside", line.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_SoftViolation_PassesAndSaysItIsRecorded()
    {
        var explained = DecisionEngine.Explain(Zone(new PassbackRule(PassbackMode.Soft), DoorDirection.In),
            DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon), new LiveFacts(0, MondayNoon) { Presence = Inside });
        var line = explained.Checks.Single(c => c.Check == DecisionCheck.ZonePassback);
        Assert.Equal(CheckOutcome.Passed, line.Outcome);
        Assert.Contains("violation recorded", line.Detail, StringComparison.Ordinal);
        Assert.Equal(PassbackViolation.EntryWithoutExit, explained.Decision.Passback);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1441)]
    public void Rule_TimedOutsideItsMinutes_Throws(int minutes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PassbackRule(PassbackMode.Timed, minutes));

    [Fact]
    public void Bundle_CarriesTheModeAndTheControllerAppliesItWithWhatItSaw()
    {
        const string card = "C0FFEE";
        var definitions = (Site() with
        {
            Zones = [new ZoneDefinition(ZoneId, SiteId) { Passback = new PassbackRule(PassbackMode.Timed, 30) }],
            Credentials = [new CredentialDefinition(Id(40), PersonId, CredentialKind.Card, card)],
        }).WithDoor(d => d with { ZoneId = ZoneId, Direction = DoorDirection.In });
        var spec = new ControllerBundleSpec(SiteId, Id(41), [new ControllerDoor(DoorId, DoorFailMode.Secure, OfflineLiveFacts.CountLocally, [])], 60, RichPolicy.CredentialKey);
        var body = BundleBuilder.Build(definitions, spec, 1, DateTimeOffset.UnixEpoch);
        var zone = Assert.Single(body.Zones!);
        Assert.Equal(("timed", (int?)30), (zone.Passback, zone.PassbackMinutes));

        var policy = RichPolicy.Receive(body);
        Decision Offline(ZonePresence seen) => EdgeDecisions.Decide(policy, policy.Doors[DoorId], RichPolicy.CredentialKey, CredentialKind.Card, card,
            MondayNoon, MondayNoon, new LocalCounts(0, 0) { Presence = seen });
        Assert.True(Offline(default).Allowed);
        Assert.Equal(ReasonCode.PassbackViolation, Offline(new ZonePresence(PresenceState.Inside, MondayNoon - Duration.FromMinutes(5))).Reason);
    }
}
