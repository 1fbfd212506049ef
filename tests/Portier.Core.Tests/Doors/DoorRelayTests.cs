using Portier.Core.Devices;
using Portier.Core.Doors;
using Portier.Core.Model;

namespace Portier.Core.Tests.Doors;

public sealed class DoorRelayTests
{
    [Theory]
    [InlineData(MaintenanceMode.Normal, false, RelayState.Released)]
    [InlineData(MaintenanceMode.Normal, true, RelayState.LatchedOpen)]
    [InlineData(MaintenanceMode.ForceOpen, false, RelayState.LatchedOpen)]
    [InlineData(MaintenanceMode.ForceOpen, true, RelayState.LatchedOpen)]
    [InlineData(MaintenanceMode.ForceClosed, false, RelayState.LockedDown)]
    [InlineData(MaintenanceMode.ForceClosed, true, RelayState.LockedDown)]
    public void Desired_MaintenanceWinsOverTheSchedule(MaintenanceMode mode, bool scheduleLatched, RelayState expected) =>
        Assert.Equal(expected, DoorRelay.Desired(mode, scheduleLatched));

    [Theory]
    [InlineData(RelayState.Released, CommandType.Release)]
    [InlineData(RelayState.LatchedOpen, CommandType.LatchOpen)]
    [InlineData(RelayState.LockedDown, CommandType.LockDown)]
    public void Command_EachState_HasItsCommand(RelayState state, CommandType expected) =>
        Assert.Equal(expected, DoorRelay.Command(state));
}
