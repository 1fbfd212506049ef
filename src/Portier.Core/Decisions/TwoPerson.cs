using NodaTime;

namespace Portier.Core.Decisions;

/// <summary>
/// A live fact of a two-person door: who presented a credential there last and is waiting for a second
/// person, since when. <see cref="PersonId"/> <see cref="Guid.Empty"/> (the default) = nobody waits.
/// </summary>
public readonly record struct TwoPersonWait(Guid PersonId, Instant Since)
{
    public bool IsSomeone => PersonId != Guid.Empty;

    /// <summary>
    /// Whether the wait pairs with an attempt at <paramref name="at"/>: the two are at most <paramref name="window"/>
    /// apart (inclusive), either way round, since two racing attempts may be decided in the other order than their instants.
    /// </summary>
    public bool PairsAt(Instant at, Duration window) => IsSomeone && at - Since <= window && Since - at <= window;
}

/// <summary>
/// The two-person rule of a door: a presented credential opens it only when a different authorised person
/// presented one within the window before. The first is refused with <see cref="ReasonCode.TwoPersonWaiting"/>
/// and waits; an administrator's override and the door's schedule are not subject to the rule.
/// </summary>
public static class TwoPersonRule
{
    /// <summary>Shortest window, in seconds: less leaves no time for a second person to reach the reader.</summary>
    public const int MinWindowSeconds = 3;
    /// <summary>Longest window, in seconds: longer, the "second person" need not be there at the same time.</summary>
    public const int MaxWindowSeconds = 120;
    public const int DefaultWindowSeconds = 10;

    public static bool IsValidWindow(int seconds) => seconds is >= MinWindowSeconds and <= MaxWindowSeconds;
}
