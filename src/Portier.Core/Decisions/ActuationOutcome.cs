namespace Portier.Core.Decisions;

/// <summary>
/// What the door did after a decision: a closed set apart from <see cref="ReasonCode"/>, because a
/// reason says why a decision came out as it did and an outcome says what the controller did with it.
/// The snake_case strings from <see cref="ActuationOutcomes.ToCode"/> are part of the public API.
/// </summary>
public enum ActuationOutcome
{
    /// <summary><c>pending</c>: the command is out and its acknowledgement not yet in.</summary>
    Pending,
    /// <summary><c>confirmed_unlocked</c>: the controller acknowledged the unlock before its deadline.</summary>
    ConfirmedUnlocked,
    /// <summary><c>timed_out</c>: no acknowledgement by the command's deadline.</summary>
    TimedOut,
    /// <summary><c>not_sent</c>: nothing was sent (a denial, no controller, or a gate that opens itself).</summary>
    NotSent,
    /// <summary><c>held_open</c>: the door is held open by force-open maintenance; nothing to actuate.</summary>
    HeldOpen,
    /// <summary><c>late_ack</c>: the acknowledgement came after the command's deadline.</summary>
    LateAck,
}

public static class ActuationOutcomes
{
    public static string ToCode(this ActuationOutcome outcome) => outcome switch
    {
        ActuationOutcome.Pending => "pending",
        ActuationOutcome.ConfirmedUnlocked => "confirmed_unlocked",
        ActuationOutcome.TimedOut => "timed_out",
        ActuationOutcome.NotSent => "not_sent",
        ActuationOutcome.HeldOpen => "held_open",
        ActuationOutcome.LateAck => "late_ack",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}

/// <summary>
/// The reason an access-log row carries: a decision's <see cref="ReasonCode"/> on an attempt, the
/// door's <see cref="ActuationOutcome"/> on the outcome row that follows a grant. Only these two
/// closed sets can make one, so no free string reaches the log.
/// </summary>
public readonly record struct EventReason
{
    private readonly ReasonCode _decision;

    private EventReason(ReasonCode decision, ActuationOutcome? outcome)
    {
        _decision = decision;
        Outcome = outcome;
    }

    /// <summary>Set on an attempt's row (the default value is <see cref="ReasonCode.Granted"/>, like the enum's).</summary>
    public ReasonCode? Decision => Outcome is null ? _decision : null;

    /// <summary>Set on an outcome row.</summary>
    public ActuationOutcome? Outcome { get; }

    public static EventReason Of(ReasonCode reason) => new(reason, null);

    public static EventReason Of(ActuationOutcome outcome) => new(default, outcome);

    public string ToCode() => Outcome?.ToCode() ?? _decision.ToCode();

    public override string ToString() => ToCode();

    /// <summary>Reads a stored code back; decision reasons and outcomes share no code.</summary>
    public static bool TryParse(string code, out EventReason reason)
    {
        if (ReasonCodes.TryParse(code, out var decision))
        {
            reason = Of(decision);
            return true;
        }
        foreach (var outcome in Enum.GetValues<ActuationOutcome>())
        {
            if (string.Equals(outcome.ToCode(), code, StringComparison.Ordinal))
            {
                reason = Of(outcome);
                return true;
            }
        }
        reason = default;
        return false;
    }

    public static EventReason Parse(string code) =>
        TryParse(code, out var reason) ? reason : throw new FormatException($"'{code}' is neither a reason code nor an actuation outcome.");
}
