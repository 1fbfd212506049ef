using NodaTime;

namespace Portier.Core.Doors;

public enum DoorAlarm { ForcedOpen, HeldOpenWarning, HeldOpen }

/// <summary>An alarm that starts or ends; each is raised once and cleared once.</summary>
public readonly record struct AlarmChange(DoorAlarm Alarm, bool Raised, Instant At);

/// <summary>
/// What the supervisor knows about one door: whether it is open, since when, until when an
/// opening is authorized, and which alarms are standing.
/// </summary>
public sealed record DoorWatch
{
    public static readonly DoorWatch Closed = new();

    public bool IsOpen { get; init; }
    public Instant? OpenedAt { get; init; }
    /// <summary>An unlock, a request-to-exit or a latch makes an opening legitimate until this instant.</summary>
    public Instant? AuthorizedUntil { get; init; }
    /// <summary>Force-open maintenance or an auto-unlock window: openings are expected and may last.</summary>
    public bool Latched { get; init; }
    public IReadOnlySet<DoorAlarm> Standing { get; init; } = new HashSet<DoorAlarm>();
}

/// <summary>
/// Door-sensor supervision, pure: an opening nobody authorized raises <c>door_forced_open</c>; a
/// door left open past its allowed open time raises a warning first (at <see cref="WarningFraction"/>
/// of the time) and then <c>door_held_open</c>. Closing the door clears whatever stands.
/// </summary>
public static class DoorSupervisor
{
    public const double WarningFraction = 0.75;

    /// <summary>A granted unlock authorizes an opening that starts within the hold time.</summary>
    public static DoorWatch Unlocked(DoorWatch watch, Instant at, Duration holdTime) =>
        watch with { AuthorizedUntil = Max(watch.AuthorizedUntil, at + holdTime) };

    public static DoorWatch SetLatched(DoorWatch watch, bool latched) => watch with { Latched = latched };

    public static (DoorWatch Watch, IReadOnlyList<AlarmChange> Changes) Opened(DoorWatch watch, Instant at, bool requestToExit)
    {
        if (watch.IsOpen) return (watch, []);
        var opened = watch with { IsOpen = true, OpenedAt = at };
        var legitimate = requestToExit || watch.Latched || at <= watch.AuthorizedUntil;
        return legitimate ? (opened, []) : Raise(opened, DoorAlarm.ForcedOpen, at);
    }

    public static (DoorWatch Watch, IReadOnlyList<AlarmChange> Changes) Closed(DoorWatch watch, Instant at)
    {
        var changes = watch.Standing.Order().Select(a => new AlarmChange(a, false, at)).ToList();
        return (watch with { IsOpen = false, OpenedAt = null, Standing = new HashSet<DoorAlarm>() }, changes);
    }

    /// <summary>Called periodically: raises the held-open warning and alarm once their time has come.</summary>
    public static (DoorWatch Watch, IReadOnlyList<AlarmChange> Changes) Tick(DoorWatch watch, Instant at, Duration allowedOpenTime)
    {
        if (!watch.IsOpen || watch.Latched || watch.OpenedAt is not { } openedAt) return (watch, []);
        var openFor = at - openedAt;
        var changes = new List<AlarmChange>();
        var current = watch;
        if (openFor >= allowedOpenTime * WarningFraction && !current.Standing.Contains(DoorAlarm.HeldOpenWarning))
            (current, changes) = Append(Raise(current, DoorAlarm.HeldOpenWarning, at), changes);
        if (openFor >= allowedOpenTime && !current.Standing.Contains(DoorAlarm.HeldOpen))
            (current, changes) = Append(Raise(current, DoorAlarm.HeldOpen, at), changes);
        return (current, changes);
    }

    private static (DoorWatch, List<AlarmChange>) Append((DoorWatch Watch, IReadOnlyList<AlarmChange> Changes) step, List<AlarmChange> changes)
    {
        changes.AddRange(step.Changes);
        return (step.Watch, changes);
    }

    private static (DoorWatch Watch, IReadOnlyList<AlarmChange> Changes) Raise(DoorWatch watch, DoorAlarm alarm, Instant at)
    {
        if (watch.Standing.Contains(alarm)) return (watch, []);
        var standing = new HashSet<DoorAlarm>(watch.Standing) { alarm };
        return (watch with { Standing = standing }, [new AlarmChange(alarm, true, at)]);
    }

    private static Instant Max(Instant? a, Instant b) => a is { } value && value > b ? value : b;
}
