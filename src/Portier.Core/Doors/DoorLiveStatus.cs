using Portier.Core.Model;
using Portier.Core.Policy;

namespace Portier.Core.Doors;

/// <summary>What an operator needs to know about a door right now; one value per door.</summary>
public enum DoorLiveState { Locked, Unlocked, Open, HeldOpen, ForcedOpen, Offline, NoController, Maintenance, Override, Lockdown, Evacuation }

/// <summary>How urgently a door's state asks for attention, lowest first.</summary>
public enum DoorLiveSeverity { Normal, Notice, Warning, Alarm }

/// <summary>Whether a door has a paired controller and whether it is heard (heartbeat within five minutes, connected).</summary>
public enum ControllerLink { None, Online, Offline }

/// <summary>
/// What the server knows of a door at one moment: its controller, its sensor, its relay latch, its standing
/// alarms and the settings and plans that govern it. <see cref="Override"/> is the running timed override only.
/// </summary>
public readonly record struct DoorLiveFacts(
    ControllerLink Controller,
    bool Open,
    bool Latched,
    IReadOnlyCollection<DoorAlarm> StandingAlarms,
    MaintenanceMode Maintenance = MaintenanceMode.Normal,
    bool BlockAllAccess = false,
    DoorOverrideMode? Override = null,
    LockdownKind? Plan = null);

/// <summary>A door's state, how urgent it is, and the plain words the console shows for it.</summary>
public readonly record struct DoorLiveStatus(DoorLiveState State, DoorLiveSeverity Severity, string Label)
{
    /// <summary>
    /// The one state shown for a door, the first that holds of: forced open, held open (alarm, then warning),
    /// controller offline, a lockdown or evacuation plan, a timed override, maintenance or blocked access,
    /// no controller, open, unlocked (latched), locked. Alarms come first because they need someone; an
    /// offline controller next because nothing after it can be trusted; then what deliberately governs the
    /// door (most specific and most recent first), and only then what its sensor and latch say.
    /// </summary>
    public static DoorLiveStatus Of(DoorLiveFacts facts)
    {
        var alarms = facts.StandingAlarms;
        if (alarms.Contains(DoorAlarm.ForcedOpen)) return new(DoorLiveState.ForcedOpen, DoorLiveSeverity.Alarm, "forced open");
        if (alarms.Contains(DoorAlarm.HeldOpen)) return new(DoorLiveState.HeldOpen, DoorLiveSeverity.Alarm, "held open too long");
        if (alarms.Contains(DoorAlarm.HeldOpenWarning)) return new(DoorLiveState.HeldOpen, DoorLiveSeverity.Warning, "open too long soon");
        if (facts.Controller == ControllerLink.Offline) return new(DoorLiveState.Offline, DoorLiveSeverity.Warning, "controller offline");
        switch (facts.Plan)
        {
            case LockdownKind.Lockdown: return new(DoorLiveState.Lockdown, DoorLiveSeverity.Alarm, "in lockdown");
            case LockdownKind.Evacuation: return new(DoorLiveState.Evacuation, DoorLiveSeverity.Warning, "evacuation: released");
            case null: break;
        }
        if (facts.Override is { } mode) return new(DoorLiveState.Override, DoorLiveSeverity.Notice, OverrideLabel(mode));
        if (facts.Maintenance != MaintenanceMode.Normal) return new(DoorLiveState.Maintenance, DoorLiveSeverity.Notice, MaintenanceLabel(facts.Maintenance));
        if (facts.BlockAllAccess) return new(DoorLiveState.Maintenance, DoorLiveSeverity.Notice, "access blocked");
        if (facts.Controller == ControllerLink.None) return new(DoorLiveState.NoController, DoorLiveSeverity.Notice, "no controller");
        if (facts.Open) return new(DoorLiveState.Open, DoorLiveSeverity.Normal, "open");
        return facts.Latched
            ? new(DoorLiveState.Unlocked, DoorLiveSeverity.Normal, "unlocked")
            : new(DoorLiveState.Locked, DoorLiveSeverity.Normal, "locked");
    }

    private static string OverrideLabel(DoorOverrideMode mode) => mode switch
    {
        DoorOverrideMode.Unlock => "override: unlocked",
        DoorOverrideMode.ForceOpen => "override: held open",
        DoorOverrideMode.ForceClosed => "override: locked shut",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    private static string MaintenanceLabel(MaintenanceMode mode) => mode switch
    {
        MaintenanceMode.ForceOpen => "maintenance: held open",
        MaintenanceMode.ForceClosed => "maintenance: locked shut",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };
}
