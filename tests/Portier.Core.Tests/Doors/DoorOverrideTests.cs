using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Doors;
using Portier.Core.Model;
using static Portier.Core.Tests.Fixture;

namespace Portier.Core.Tests.Doors;

public class DoorOverrideTests
{
    private static readonly Instant End = MondayNoon + Duration.FromMinutes(30);

    [Theory]
    [InlineData(DoorOverrideMode.ForceClosed, MaintenanceMode.Normal, MaintenanceMode.ForceClosed)]
    [InlineData(DoorOverrideMode.ForceOpen, MaintenanceMode.ForceClosed, MaintenanceMode.ForceOpen)]
    [InlineData(DoorOverrideMode.Unlock, MaintenanceMode.ForceClosed, MaintenanceMode.ForceClosed)]
    public void Effective_WhileRunning_StandsInForTheMaintenanceMode_AndNotAtItsEnd(DoorOverrideMode mode, MaintenanceMode stored, MaintenanceMode running)
    {
        var timed = new DoorOverride(mode, End);
        Assert.Equal(running, DoorOverride.Effective(stored, timed, End - Duration.Epsilon));
        Assert.Equal(stored, DoorOverride.Effective(stored, timed, End));
        Assert.Equal(stored, DoorOverride.Effective(stored, null, MondayNoon));
    }

    [Fact]
    public void Unlocks_OnlyAnUnlockOverrideBeforeItsEnd()
    {
        Assert.True(DoorOverride.Unlocks(new DoorOverride(DoorOverrideMode.Unlock, End), MondayNoon));
        Assert.False(DoorOverride.Unlocks(new DoorOverride(DoorOverrideMode.Unlock, End), End));
        Assert.False(DoorOverride.Unlocks(new DoorOverride(DoorOverrideMode.ForceOpen, End), MondayNoon));
        Assert.False(DoorOverride.Unlocks(null, MondayNoon));
    }

    [Fact]
    public void Decide_ForceClosedOverride_DeniesUntilItsEndThenDecidesAsBefore()
    {
        var defs = Site().WithDoor(d => d with { Override = new DoorOverride(DoorOverrideMode.ForceClosed, End) });

        AssertDenied(defs.Decide(MondayNoon), ReasonCode.DoorForceClosed);
        AssertDenied(defs.Decide(End - Duration.FromSeconds(1)), ReasonCode.DoorForceClosed);
        AssertAllowed(defs.Decide(End), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_ForceOpenOverrideOnAForceClosedDoor_HoldsItOpenUntilItsEnd()
    {
        var defs = Site().WithDoor(d => d with { Maintenance = MaintenanceMode.ForceClosed, Override = new DoorOverride(DoorOverrideMode.ForceOpen, End) });

        var decision = defs.Decide(MondayNoon);
        AssertAllowed(decision, DecisionPath.Rule);
        Assert.True(decision.DoorHeldOpen);
        AssertDenied(defs.Decide(End), ReasonCode.DoorForceClosed);
    }

    [Fact]
    public void Explain_ForceClosedOverride_NamesItsEnd()
    {
        var snapshot = Portier.Core.Policy.PolicySnapshot.Compile(Site().WithDoor(d => d with { Override = new DoorOverride(DoorOverrideMode.ForceClosed, End) }));
        var explained = DecisionEngine.Explain(snapshot, DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon), new LiveFacts(0, MondayNoon));

        var check = Assert.Single(explained.Checks, c => c.Check == DecisionCheck.DoorMaintenance);
        Assert.Equal(CheckOutcome.Failed, check.Outcome);
        Assert.Contains($"timed override until {End}", check.Detail, StringComparison.Ordinal);
    }
}
