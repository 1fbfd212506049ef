using NodaTime;

namespace Portier.Core.EventPolicies;

/// <summary>What a task does to the attendees of one session window: give access or take it away.</summary>
public enum AccessTaskAction { Grant, Revoke }

/// <summary>
/// The states of an access task, exactly the manual's list. A task is not yet scheduled while its
/// session is outside the materialization horizon, pending once inside it, scheduled once its
/// provider has accepted it, and then executed, failed or cancelled.
/// </summary>
public enum AccessTaskStatus { NotYetScheduled, Pending, Scheduled, Executed, Failed, Cancelled }

/// <summary>Why a task failed; each maps to one of the manual's failure causes and its fix.</summary>
public enum AccessTaskFailure
{
    /// <summary>The provider answered 401 or 403: update the credentials, then Test Connection.</summary>
    ProviderCredentialsExpired,
    /// <summary>The provider could not be reached (connection refused, DNS, timeout).</summary>
    ProviderUnreachable,
    /// <summary>The provider answered 404 for the zone, or the zone is gone: re-sync zones.</summary>
    ZoneRemoved,
    /// <summary>The provider kept answering 429 after every automatic retry.</summary>
    RateLimited,
    /// <summary>The provider answered another error (5xx after retries, or an unexpected status).</summary>
    ProviderError,
    /// <summary>A grant whose whole window passed before it could run (the server was down).</summary>
    Missed,
}

/// <summary>What an operator may do to a task in its current state.</summary>
public enum AccessTaskCommand { Cancel, Retry, Acknowledge }

/// <summary>The access window of one session under one policy: [Start, End), start inclusive, end exclusive.</summary>
public readonly record struct AccessWindow
{
    public AccessWindow(Instant start, Instant end)
    {
        if (end < start) throw new ArgumentOutOfRangeException(nameof(end), "A window cannot end before it starts.");
        Start = start;
        End = end;
    }

    public Instant Start { get; }
    public Instant End { get; }

    public bool Contains(Instant at) => at >= Start && at < End;
}

/// <summary>Buffers of a policy: minutes of access before the session starts and after it ends, 0–480 each.</summary>
public readonly record struct PolicyBuffers
{
    public const int MaxMinutes = 480;

    public PolicyBuffers(int minutesBefore, int minutesAfter)
    {
        if (!IsValid(minutesBefore)) throw new ArgumentOutOfRangeException(nameof(minutesBefore));
        if (!IsValid(minutesAfter)) throw new ArgumentOutOfRangeException(nameof(minutesAfter));
        MinutesBefore = minutesBefore;
        MinutesAfter = minutesAfter;
    }

    public int MinutesBefore { get; }
    public int MinutesAfter { get; }

    public static bool IsValid(int minutes) => minutes is >= 0 and <= MaxMinutes;

    /// <summary>The grant fires at start − before, the revoke at end + after.</summary>
    public AccessWindow WindowFor(Instant sessionStart, Instant sessionEnd) =>
        new(sessionStart - Duration.FromMinutes(MinutesBefore), sessionEnd + Duration.FromMinutes(MinutesAfter));
}

/// <summary>The rules of the task state machine, shared by the planner, the runner and the API.</summary>
public static class AccessTaskRules
{
    /// <summary>The default materialization horizon: tasks are pushed to the provider 24 hours before the grant time.</summary>
    public static readonly Duration DefaultHorizon = Duration.FromHours(24);

    /// <summary>The default time a revoke is retried automatically after its target time while its provider fails.</summary>
    public static readonly Duration DefaultRevokeRetryPeriod = Duration.FromDays(3);

    private static readonly Duration MaxBackoff = Duration.FromHours(1);

    public static bool HasRun(AccessTaskStatus status) => status is AccessTaskStatus.Executed or AccessTaskStatus.Failed or AccessTaskStatus.Cancelled;

    /// <summary>Not yet scheduled, pending or scheduled: the task may still fire.</summary>
    public static bool IsOpen(AccessTaskStatus status) => !HasRun(status);

    /// <summary>Both tasks of a window enter the horizon together, when its grant time is within the horizon.</summary>
    public static Instant MaterializeAt(AccessWindow window, Duration horizon) => window.Start - horizon;

    /// <summary>The status of an open task given its window and the horizon; a task already accepted by its provider stays scheduled.</summary>
    public static AccessTaskStatus OpenStatus(AccessTaskStatus current, Instant materializeAt, Instant now) =>
        now < materializeAt ? AccessTaskStatus.NotYetScheduled
        : current == AccessTaskStatus.Scheduled ? AccessTaskStatus.Scheduled
        : AccessTaskStatus.Pending;

    /// <summary>
    /// A due grant whose window has already ended is missed: giving access for a window that is over
    /// would be wrong, so it fails with <see cref="AccessTaskFailure.Missed"/> without calling the
    /// provider. A revoke always runs.
    /// </summary>
    public static bool IsMissed(AccessTaskAction action, AccessWindow window, Instant now) =>
        action == AccessTaskAction.Grant && now >= window.End;

    public static IReadOnlyList<AccessTaskCommand> AvailableCommands(AccessTaskStatus status, bool acknowledged) => status switch
    {
        AccessTaskStatus.NotYetScheduled or AccessTaskStatus.Pending or AccessTaskStatus.Scheduled => [AccessTaskCommand.Cancel],
        AccessTaskStatus.Failed => acknowledged ? [AccessTaskCommand.Retry] : [AccessTaskCommand.Retry, AccessTaskCommand.Acknowledge],
        AccessTaskStatus.Executed or AccessTaskStatus.Cancelled => [],
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool Allows(AccessTaskStatus status, bool acknowledged, AccessTaskCommand command) =>
        AvailableCommands(status, acknowledged).Contains(command);

    /// <summary>
    /// A planner may move a task that has not executed to a new target: an open task stays open (its
    /// status follows the horizon), a failed or cancelled one keeps its status. An executed task is history.
    /// </summary>
    public static bool CanRetarget(AccessTaskStatus from, AccessTaskStatus to) =>
        from != AccessTaskStatus.Executed && (to == from || (IsOpen(from) && IsOpen(to)));

    /// <summary>A run's outcome (executed, failed, retry later) is recorded only on a task that is still open.</summary>
    public static bool CanRecordOutcome(AccessTaskStatus status) => IsOpen(status);

    /// <summary>
    /// Whether a failed call is tried again automatically at <paramref name="next"/>. Only a transient
    /// failure is: the provider unreachable (refused, timed out), rate limiting (429) or a server error
    /// (5xx). A revoke is retried until <paramref name="revokeRetryPeriod"/> after its target time, since
    /// access must end however late; a grant is retried while the provider is unreachable as long as its
    /// window is still open at the next attempt, and after a 429 or 5xx up to <paramref name="maxRetries"/> times.
    /// </summary>
    public static bool RetriesAgain(
        AccessTaskAction action, ProviderOutcome outcome, int retryCount, int maxRetries, Instant targetAt, AccessWindow window,
        Duration revokeRetryPeriod, Instant next)
    {
        var unreachable = outcome.Failure == AccessTaskFailure.ProviderUnreachable;
        if (outcome.Succeeded || (!outcome.RetryAutomatically && !unreachable)) return false;
        if (action == AccessTaskAction.Revoke) return next < targetAt + revokeRetryPeriod;
        return unreachable ? next < window.End : retryCount < maxRetries;
    }

    /// <summary>
    /// When an automatic retry (rate limit or transient provider error) may run: exponential backoff
    /// from <paramref name="baseDelay"/> (doubling per retry, capped at one hour), but never sooner
    /// than the provider's Retry-After.
    /// </summary>
    public static Instant NextAttempt(int retryCount, Duration baseDelay, Duration? retryAfter, Instant now)
    {
        var exponent = Math.Min(retryCount, 20);
        var backoff = baseDelay * (1L << exponent);
        if (backoff > MaxBackoff) backoff = MaxBackoff;
        var wait = retryAfter is { } after && after > backoff ? after : backoff;
        return now + wait;
    }
}

/// <summary>How a provider's answer to a grant or revoke call is treated.</summary>
public readonly record struct ProviderOutcome(bool Succeeded, AccessTaskFailure? Failure, bool RetryAutomatically)
{
    public static readonly ProviderOutcome Success = new(true, null, false);

    /// <summary>Maps an HTTP status (or none, when the connection failed) onto the manual's failure causes.</summary>
    public static ProviderOutcome FromHttp(int? status) => status switch
    {
        null => new(false, AccessTaskFailure.ProviderUnreachable, false),
        >= 200 and < 300 => Success,
        401 or 403 => new(false, AccessTaskFailure.ProviderCredentialsExpired, false),
        404 or 410 => new(false, AccessTaskFailure.ZoneRemoved, false),
        429 => new(false, AccessTaskFailure.RateLimited, true),
        >= 500 => new(false, AccessTaskFailure.ProviderError, true),
        _ => new(false, AccessTaskFailure.ProviderError, false),
    };
}
