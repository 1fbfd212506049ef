using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Core.Policy;

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

    /// <summary>
    /// The relay under an active plan as well: an evacuation latches the door open (unless it is in
    /// force-closed maintenance, a door taken out of service on purpose); a lockdown holds it released,
    /// so a door latched open by its schedule or by force-open maintenance locks again and opens only for
    /// responders (force-closed stays locked down). Without a plan, <see cref="Desired(MaintenanceMode, bool)"/>.
    /// </summary>
    public static RelayState Desired(MaintenanceMode mode, bool scheduleLatched, LockdownKind? plan) => (plan, mode) switch
    {
        (_, MaintenanceMode.ForceClosed) => RelayState.LockedDown,
        (LockdownKind.Evacuation, _) => RelayState.LatchedOpen,
        (LockdownKind.Lockdown, _) => RelayState.Released,
        _ => Desired(mode, scheduleLatched),
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
