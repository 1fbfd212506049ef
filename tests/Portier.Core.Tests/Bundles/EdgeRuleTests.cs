using Portier.Core.Bundles;

namespace Portier.Core.Tests.Bundles;

/// <summary>What only a controller deciding alone has to decide: the revocation horizon and the door's rule for live facts.</summary>
public sealed class EdgeRuleTests
{
    private const string Card = "C0FFEE";
    private static readonly Instant Noon = MondayNoon;

    /// <summary>The fixture's Member (Current) with a card, at a door leading into a zone of <paramref name="capacity"/>.</summary>
    private static (ControllerPolicy Policy, BundleDoor Door) Controller(OfflineLiveFacts rule, int? capacity = null, int? maxUses = null, int horizonMinutes = 60)
    {
        var definitions = Site() with
        {
            Zones = [new ZoneDefinition(ZoneId, SiteId) { Capacity = capacity }],
            Credentials = [new CredentialDefinition(Id(40), PersonId, CredentialKind.Card, Card) { MaxUses = maxUses }],
        };
        definitions = definitions.WithDoor(d => d with { ZoneId = ZoneId, Direction = DoorDirection.In });
        var spec = new ControllerBundleSpec(SiteId, Id(41), [new ControllerDoor(DoorId, DoorFailMode.Secure, rule, [])], horizonMinutes, RichPolicy.CredentialKey);
        var policy = RichPolicy.Receive(BundleBuilder.Build(definitions, spec, 1, DateTimeOffset.UnixEpoch));
        return (policy, policy.Doors[DoorId]);
    }

    private static Decision Decide((ControllerPolicy Policy, BundleDoor Door) c, Instant lastHeard, LocalCounts counts = default) =>
        EdgeDecisions.Decide(c.Policy, c.Door, RichPolicy.CredentialKey, CredentialKind.Card, Card, Noon, lastHeard, counts);

    [Fact]
    public void WithinTheHorizon_Decides_PastIt_RefusesEverything()
    {
        var controller = Controller(OfflineLiveFacts.CountLocally, horizonMinutes: 60);
        Assert.True(Decide(controller, Noon - Duration.FromMinutes(60)).Allowed);
        Assert.Equal(ReasonCode.OfflineHorizonPassed, Decide(controller, Noon - Duration.FromMinutes(61)).Reason);
    }

    [Fact]
    public void CountLocally_AppliesTheControllersOwnCounts()
    {
        var zone = Controller(OfflineLiveFacts.CountLocally, capacity: 2);
        Assert.True(Decide(zone, Noon, new LocalCounts(1, 0)).Allowed);
        Assert.Equal(ReasonCode.CapacityExceeded, Decide(zone, Noon, new LocalCounts(2, 0)).Reason);

        var uses = Controller(OfflineLiveFacts.CountLocally, maxUses: 3);
        Assert.True(Decide(uses, Noon, new LocalCounts(0, 2)).Allowed);
        Assert.Equal(ReasonCode.MaxUsesReached, Decide(uses, Noon, new LocalCounts(0, 3)).Reason);
    }

    [Fact]
    public void Refuse_DeniesWhatRestsOnAFactOnlyTheServerKnows()
    {
        Assert.Equal(ReasonCode.OfflineUnverifiable, Decide(Controller(OfflineLiveFacts.Refuse, capacity: 50), Noon).Reason);
        Assert.Equal(ReasonCode.OfflineUnverifiable, Decide(Controller(OfflineLiveFacts.Refuse, maxUses: 5), Noon).Reason);
        // Nothing live to rest on: an unlimited zone and card pass.
        Assert.True(Decide(Controller(OfflineLiveFacts.Refuse), Noon).Allowed);
    }

    [Fact]
    public void RemainingUses_AreWhatTheServerHadNotYetCounted()
    {
        var definitions = Site() with { Credentials = [new CredentialDefinition(Id(40), PersonId, CredentialKind.Card, Card) { MaxUses = 5 }] };
        var spec = new ControllerBundleSpec(SiteId, Id(41), [new ControllerDoor(DoorId, DoorFailMode.Secure, OfflineLiveFacts.CountLocally, [])], 60, RichPolicy.CredentialKey)
        {
            CredentialUses = new Dictionary<Guid, int> { [Id(40)] = 4 },
        };
        var body = BundleBuilder.Build(definitions, spec, 1, DateTimeOffset.UnixEpoch);
        Assert.Equal(1, Assert.Single(body.Credentials!).RemainingUses);
        var policy = RichPolicy.Receive(body);
        Assert.True(EdgeDecisions.Decide(policy, policy.Doors[DoorId], RichPolicy.CredentialKey, CredentialKind.Card, Card, Noon, Noon, new LocalCounts(0, 0)).Allowed);
        Assert.Equal(ReasonCode.MaxUsesReached, EdgeDecisions.Decide(policy, policy.Doors[DoorId], RichPolicy.CredentialKey, CredentialKind.Card, Card, Noon, Noon, new LocalCounts(0, 1)).Reason);
    }

    [Fact]
    public void ExitReader_FreesAPlace_WhereTheEntryReaderIsRefusedAtCapacity()
    {
        var (policy, door) = Controller(OfflineLiveFacts.CountLocally, capacity: 1);
        var full = new LocalCounts(1, 0);
        Assert.Equal(ReasonCode.CapacityExceeded, EdgeDecisions.Decide(policy, door, RichPolicy.CredentialKey, CredentialKind.Card, Card, Noon, Noon, full,
            new BundleReader("in-1", "card", "entry")).Reason);
        Assert.True(EdgeDecisions.Decide(policy, door, RichPolicy.CredentialKey, CredentialKind.Card, Card, Noon, Noon, full,
            new BundleReader("out-1", "card", "exit")).Allowed);
    }

    [Fact]
    public void ReaderWithAnUnknownDirection_MakesTheBundleRefused()
    {
        var definitions = Site();
        var spec = new ControllerBundleSpec(SiteId, Id(41), [new ControllerDoor(DoorId, DoorFailMode.Secure, OfflineLiveFacts.CountLocally, [new BundleReader("r", "card", "sideways")])], 60, RichPolicy.CredentialKey);
        Assert.False(ControllerPolicy.TryApply(null, BundleBuilder.Build(definitions, spec, 1, DateTimeOffset.UnixEpoch), SiteId, Id(41), out _, out var error));
        Assert.Contains("sideways", error, StringComparison.Ordinal);
    }

    [Fact]
    public void CardNumbers_AreNormalisedAsTheServerStoresThem()
    {
        var controller = Controller(OfflineLiveFacts.CountLocally);
        Assert.True(EdgeDecisions.Decide(controller.Policy, controller.Door, RichPolicy.CredentialKey, CredentialKind.Card, "c0:ff:ee", Noon, Noon, default).Allowed);
        Assert.Equal(ReasonCode.InvalidCredential,
            EdgeDecisions.Decide(controller.Policy, controller.Door, RichPolicy.CredentialKey, CredentialKind.Card, "not hex", Noon, Noon, default).Reason);
    }
}
