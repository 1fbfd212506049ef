using NodaTime;

namespace Portier.Core.Guessing;

/// <summary>
/// One counter's limit: after <see cref="Failures"/> invalid credentials its scope backs off for
/// <see cref="FirstLock"/>, each further back-off twice as long as the one before, up to
/// <see cref="MaxLock"/>. A scope quiet for <see cref="ForgetAfter"/> (counted from its last failure or
/// the end of its last back-off, whichever is later) starts over.
/// </summary>
public sealed record GuessLimit(int Failures, Duration FirstLock, Duration MaxLock, Duration ForgetAfter)
{
    /// <summary>The length of the back-off after <paramref name="earlierLocks"/> earlier ones: doubling, capped.</summary>
    public Duration LockLength(int earlierLocks)
    {
        var seconds = FirstLock.TotalSeconds * Math.Pow(2, Math.Min(earlierLocks, 30));
        return seconds >= MaxLock.TotalSeconds ? MaxLock : Duration.FromSeconds(seconds);
    }
}

/// <summary>The limits of one site: per reader (door), per site, per presented PIN or code, and the burst alarm.</summary>
public sealed record GuessingLimits(GuessLimit Reader, GuessLimit Site, GuessLimit Value, int BurstAttempts, Duration BurstWindow);

/// <summary>
/// Invalid credentials counted in one scope (a reader, a site, a PIN value). Pure: every transition
/// takes the instant it happens at, so the same state decides the same way on every node and after a restart.
/// </summary>
public readonly record struct GuessCounter(int Failures, int Locks, Instant? LockedUntil, Instant? LastFailureAt)
{
    public static GuessCounter None => default;

    /// <summary>Backed off at <paramref name="now"/>: attempts in this scope are refused without looking at the credential.</summary>
    public bool IsLocked(Instant now) => LockedUntil is { } until && until > now;

    /// <summary>The counter as it stands at <paramref name="now"/>: after a quiet <see cref="GuessLimit.ForgetAfter"/>, nothing is held against the scope.</summary>
    public GuessCounter Settled(Instant now, GuessLimit limit) =>
        QuietSince is { } quiet && now - quiet >= limit.ForgetAfter ? None : this;

    /// <summary>One more invalid credential; the one that reaches the limit starts a back-off and the count over.</summary>
    public GuessCounter Failed(Instant now, GuessLimit limit)
    {
        var settled = Settled(now, limit);
        return settled.Failures + 1 >= limit.Failures
            ? new GuessCounter(0, settled.Locks + 1, now + limit.LockLength(settled.Locks), now)
            : settled with { Failures = settled.Failures + 1, LastFailureAt = now };
    }

    /// <summary>True when nothing would be lost by forgetting this counter at <paramref name="now"/>.</summary>
    public bool IsForgotten(Instant now, GuessLimit limit) => Settled(now, limit) == None;

    private Instant? QuietSince => (LastFailureAt, LockedUntil) switch
    {
        ({ } failure, { } until) => failure > until ? failure : until,
        ({ } failure, null) => failure,
        (null, { } until) => until,
        (null, null) => null,
    };
}

/// <summary>
/// Invalid or refused credentials at one reader, watched for a burst: <c>attempts</c> within
/// <c>window</c> of the burst's first one raise one alarm, and the burst lasts (without a second alarm)
/// until the reader has been quiet for a whole window.
/// </summary>
public readonly record struct BurstWatch(Instant? StartedAt, int Attempts, bool Alarmed, Instant? LastAt)
{
    /// <summary>One more bad attempt; <c>Raise</c> is true for the one attempt of a burst that raises its alarm.</summary>
    public (BurstWatch Next, bool Raise) Seen(Instant now, int attempts, Duration window)
    {
        var restart = Alarmed ? HasEnded(now, window) : StartedAt is not { } started || now - started >= window;
        var current = restart ? new BurstWatch(now, 0, false, null) : this;
        var next = current with { Attempts = current.Attempts + 1, LastAt = now };
        var raise = !next.Alarmed && next.Attempts >= attempts;
        return (raise ? next with { Alarmed = true } : next, raise);
    }

    /// <summary>No bad attempt for a whole window: a burst that raised its alarm is over.</summary>
    public bool HasEnded(Instant now, Duration window) => LastAt is not { } last || now - last >= window;
}
