using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Core.Policy;
using static Portier.Core.Tests.Fixture;

namespace Portier.Core.Tests.Decisions;

/// <summary>An administrator's override and the door's schedule: requests without a person, with their own checks.</summary>
public sealed class OperatorOriginTests
{
    private static Decision Override(PolicyDefinitions defs, LiveFacts? facts = null) =>
        Fixture.Decide(PolicySnapshot.Compile(defs), DecisionRequest.AdminOverride(DoorId, MondayNoon), facts);

    private static Decision Schedule(PolicyDefinitions defs, LiveFacts? facts = null) =>
        Fixture.Decide(PolicySnapshot.Compile(defs), DecisionRequest.Schedule(DoorId, MondayNoon), facts);

    [Fact]
    public void Override_BlockedAndForceClosedDoor_IsGrantedByTheOverridePath()
    {
        var defs = Site(MemberCurrent(EveryDay((6, 7)))).WithDoor(d => d with { BlockAllAccess = true, Maintenance = MaintenanceMode.ForceClosed });
        AssertAllowed(Override(defs), DecisionPath.AdminOverride);
    }

    [Fact]
    public void Override_ControllerSilentPastTheHeartbeatWindow_IsDeviceOffline()
    {
        var silent = new LiveFacts(0, MondayNoon - LiveFacts.HeartbeatWindow - Duration.FromSeconds(1));
        AssertDenied(Override(Site(), silent), ReasonCode.DeviceOffline);
        AssertDenied(Override(Site(), new LiveFacts(0, null)), ReasonCode.DeviceOffline);
    }

    [Fact]
    public void Override_ForceOpenDoor_ReportsDoorHeldOpen()
    {
        var decision = Override(Site().WithDoor(d => d with { Maintenance = MaintenanceMode.ForceOpen }));
        AssertAllowed(decision, DecisionPath.AdminOverride);
        Assert.True(decision.DoorHeldOpen);
    }

    [Fact]
    public void Schedule_ForceClosedDoor_IsDoorForceClosed_OtherwiseGrantedWhateverTheController()
    {
        AssertDenied(Schedule(Site().WithDoor(d => d with { Maintenance = MaintenanceMode.ForceClosed })), ReasonCode.DoorForceClosed);
        AssertAllowed(Schedule(Site(), new LiveFacts(0, null)), DecisionPath.Schedule);
    }

    [Fact]
    public void Override_UnknownDoor_IsUnknownDoor() =>
        AssertDenied(Fixture.Decide(PolicySnapshot.Compile(Site()), DecisionRequest.AdminOverride(Id(999), MondayNoon)), ReasonCode.UnknownDoor);
}
