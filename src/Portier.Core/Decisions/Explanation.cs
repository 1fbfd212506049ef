namespace Portier.Core.Decisions;

/// <summary>The checks of the decision sequence, in the order the engine runs them.</summary>
public enum DecisionCheck
{
    Door,
    Credential,
    CredentialRevoked,
    CredentialValidity,
    CredentialUses,
    Person,
    AccessEnabled,
    Blocklist,
    DoorBlock,
    DoorMaintenance,
    Lockdown,
    /// <summary>The schedule of a first-to-arrive door: has a member of its group been granted today?</summary>
    FirstArrival,
    /// <summary>The site's holiday calendars for the local date: closed, special hours, or nothing today.</summary>
    HolidayCalendar,
    RulePath,
    GrantPath,
    InvitePath,
    /// <summary>The qualifications the door and its scopes require: held and not expired.</summary>
    Qualifications,
    ZoneTicketType,
    ZonePassback,
    ZoneCapacity,
    Geofence,
    Device,
    /// <summary>The door's two-person rule: a different authorised person waiting within the window.</summary>
    TwoPerson,
}

/// <summary>Passed, failed (the decision stops there, except a failed rule path that a grant may still rescue) or not applicable to this request.</summary>
public enum CheckOutcome { Passed, Failed, NotApplicable }

/// <summary>One evaluated check: its outcome, the reason it produced when it failed, and a human-readable note.</summary>
public sealed record CheckResult(DecisionCheck Check, CheckOutcome Outcome, ReasonCode? Failure, string Detail);

/// <summary>A decision with every check evaluated on the way to it, for the explain API and the access log.</summary>
public sealed record DecisionExplanation(Decision Decision, IReadOnlyList<CheckResult> Checks);

/// <summary>Receives checks as the engine evaluates them; the fast path uses a no-op struct the JIT removes.</summary>
internal interface IDecisionTrace
{
    bool Enabled { get; }

    void Add(DecisionCheck check, CheckOutcome outcome, ReasonCode? failure, string detail);
}

internal readonly struct NoTrace : IDecisionTrace
{
    public bool Enabled => false;

    public void Add(DecisionCheck check, CheckOutcome outcome, ReasonCode? failure, string detail) { }
}

internal readonly struct ListTrace(List<CheckResult> checks) : IDecisionTrace
{
    public bool Enabled => true;

    public void Add(DecisionCheck check, CheckOutcome outcome, ReasonCode? failure, string detail) =>
        checks.Add(new CheckResult(check, outcome, failure, detail));
}
