using Portier.Core.Devices;
using Portier.Core.Model;

namespace Portier.Core.Doors;

/// <summary>What the controller should hold the door at between unlocks.</summary>
public enum RelayState { Released, LatchedOpen, LockedDown }

/// <summary>
/// The relay a door should be held at: maintenance wins over the auto-unlock schedule.
/// force_open latches the door open and force_closed locks it down whatever the schedule says;
/// only in normal mode does the schedule latch the door open inside its windows.
/// </summary>
public static class DoorRelay
{
    public static RelayState Desired(MaintenanceMode mode, bool scheduleLatched) => mode switch
    {
        MaintenanceMode.ForceOpen => RelayState.LatchedOpen,
        MaintenanceMode.ForceClosed => RelayState.LockedDown,
        MaintenanceMode.Normal => scheduleLatched ? RelayState.LatchedOpen : RelayState.Released,
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>The command that puts a controller in this state.</summary>
    public static CommandType Command(RelayState state) => state switch
    {
        RelayState.LatchedOpen => CommandType.LatchOpen,
        RelayState.LockedDown => CommandType.LockDown,
        RelayState.Released => CommandType.Release,
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };
}
