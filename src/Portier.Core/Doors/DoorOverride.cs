using NodaTime;
using Portier.Core.Model;

namespace Portier.Core.Doors;

/// <summary>What a timed override holds a door at until it ends.</summary>
public enum DoorOverrideMode { Unlock, ForceOpen, ForceClosed }

/// <summary>
/// A door held unlocked, force open or force closed until <see cref="Until"/> (exclusive), then back to
/// its maintenance mode and schedule by itself. The end is judged from the instant alone, so a server
/// that was down when it passed, or a controller deciding offline, reverts at the same moment.
/// </summary>
public readonly record struct DoorOverride(DoorOverrideMode Mode, Instant Until)
{
    public bool IsActiveAt(Instant at) => at < Until;

    /// <summary>The override stored as two nullable columns; null when either is missing.</summary>
    public static DoorOverride? Of(DoorOverrideMode? mode, Instant? until) =>
        mode is { } m && until is { } u ? new DoorOverride(m, u) : null;

    /// <summary>The maintenance mode in force at <paramref name="at"/>: a running force override wins over the stored mode.</summary>
    public static MaintenanceMode Effective(MaintenanceMode stored, DoorOverride? running, Instant at) => running is { } o && o.IsActiveAt(at)
        ? o.Mode switch
        {
            DoorOverrideMode.ForceOpen => MaintenanceMode.ForceOpen,
            DoorOverrideMode.ForceClosed => MaintenanceMode.ForceClosed,
            _ => stored,
        }
        : stored;

    /// <summary>Whether an unlock override latches the door at <paramref name="at"/>, as an auto-unlock window does.</summary>
    public static bool Unlocks(DoorOverride? running, Instant at) => running is { Mode: DoorOverrideMode.Unlock } o && o.IsActiveAt(at);
}
