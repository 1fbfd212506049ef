using NodaTime;
using Portier.Core.Model;

namespace Portier.Core.Decisions;

/// <summary>
/// Where a person stands for a zone's anti-passback: <see cref="Unknown"/> (never seen, or forgiven:
/// the next passage either way is fine), <see cref="Inside"/> (last passed in) or <see cref="Outside"/>
/// (last passed out).
/// </summary>
public enum PresenceState { Unknown, Inside, Outside }

/// <summary>
/// A live fact: one person's presence in the zone behind the door, and when they last entered it
/// (null = not since they were last forgiven). The default is <see cref="PresenceState.Unknown"/>.
/// </summary>
public readonly record struct ZonePresence(PresenceState State, Instant? LastEntryAt = null);

/// <summary>What a passage did against the zone's anti-passback; <see cref="None"/> when nothing.</summary>
public enum PassbackViolation
{
    None,
    /// <summary>An entry while already inside (hard refuses it, soft records it).</summary>
    EntryWithoutExit,
    /// <summary>An entry within a timed zone's minutes of the last entry (refused).</summary>
    ReentryTooSoon,
    /// <summary>An exit while known to be outside: never refused (egress), recorded.</summary>
    ExitWithoutEntry,
}

/// <summary>
/// The anti-passback check, pure. Exits are never refused: a person must always be able to leave, so an
/// exit without an entry is only recorded (hard and soft). Timed mode limits re-entry and nothing else.
/// </summary>
public static class PassbackCheck
{
    /// <summary>The violation a passage (<paramref name="entering"/> the zone or leaving it) at <paramref name="at"/> commits.</summary>
    public static PassbackViolation Evaluate(PassbackRule rule, bool entering, in ZonePresence presence, Instant at) => rule.Mode switch
    {
        PassbackMode.Off => PassbackViolation.None,
        PassbackMode.Hard or PassbackMode.Soft when entering =>
            presence.State == PresenceState.Inside ? PassbackViolation.EntryWithoutExit : PassbackViolation.None,
        PassbackMode.Hard or PassbackMode.Soft =>
            presence.State == PresenceState.Outside ? PassbackViolation.ExitWithoutEntry : PassbackViolation.None,
        PassbackMode.Timed => entering && presence.LastEntryAt is { } last && at < ReentryFrom(rule, last)
            ? PassbackViolation.ReentryTooSoon
            : PassbackViolation.None,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.Mode, null),
    };

    /// <summary>Whether the violation refuses the passage: an entry under hard or timed anti-passback.</summary>
    public static bool Refuses(PassbackRule rule, PassbackViolation violation) =>
        violation is PassbackViolation.EntryWithoutExit or PassbackViolation.ReentryTooSoon && rule.Mode is PassbackMode.Hard or PassbackMode.Timed;

    /// <summary>The violation an entry refused by a zone of <paramref name="mode"/> (hard or timed) stands for.</summary>
    public static PassbackViolation RefusedEntry(PassbackMode mode) =>
        mode == PassbackMode.Timed ? PassbackViolation.ReentryTooSoon : PassbackViolation.EntryWithoutExit;

    /// <summary>When a timed zone admits the person again after an entry at <paramref name="lastEntry"/> (inclusive).</summary>
    public static Instant ReentryFrom(PassbackRule rule, Instant lastEntry) => lastEntry + Duration.FromMinutes(rule.Minutes);

    /// <summary>The stable snake_case name of a violation, as the access log and its events carry it.</summary>
    public static string ToCode(this PassbackViolation violation) => violation switch
    {
        PassbackViolation.None => "none",
        PassbackViolation.EntryWithoutExit => "entry_without_exit",
        PassbackViolation.ReentryTooSoon => "reentry_too_soon",
        PassbackViolation.ExitWithoutEntry => "exit_without_entry",
        _ => throw new ArgumentOutOfRangeException(nameof(violation), violation, null),
    };

    /// <summary>The explainer's note for the check.</summary>
    internal static string Describe(PassbackRule rule, PassbackViolation violation, in ZonePresence presence) => violation switch
    {
        PassbackViolation.None when rule.Mode == PassbackMode.Timed => $"timed anti-passback: no entry in the last {rule.Minutes} min",
        PassbackViolation.None => $"{ModeName(rule.Mode)} anti-passback: presence {presence.State.ToString().ToLowerInvariant()}",
        PassbackViolation.EntryWithoutExit => $"{ModeName(rule.Mode)} anti-passback: already inside, no exit since the last entry",
        PassbackViolation.ReentryTooSoon => $"timed anti-passback: re-entry not before {ReentryFrom(rule, presence.LastEntryAt!.Value)}",
        PassbackViolation.ExitWithoutEntry => $"{ModeName(rule.Mode)} anti-passback: exit without an entry (never refused; recorded)",
        _ => throw new ArgumentOutOfRangeException(nameof(violation), violation, null),
    };

    public static string ModeName(PassbackMode mode) => mode switch
    {
        PassbackMode.Off => "off",
        PassbackMode.Hard => "hard",
        PassbackMode.Soft => "soft",
        PassbackMode.Timed => "timed",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}
