using Portier.Core.Decisions;

namespace Portier.Server.Features.Decisions;

/// <summary>
/// Every reason code in plain words, for people rather than programs: the console's explainer and
/// access log and the member app all read it from here. The switch is exhaustive, so a new reason
/// code does not build until it has its sentence.
/// </summary>
public static class ReasonText
{
    public static string For(ReasonCode reason) => reason switch
    {
        ReasonCode.Granted => "Access granted.",
        ReasonCode.UnknownPerson => "This person is not known at this site.",
        ReasonCode.UnknownDoor => "This door is not known.",
        ReasonCode.InvalidCredential => "The card, code or PIN was not recognised.",
        ReasonCode.CredentialRevoked => "This credential has been revoked.",
        ReasonCode.Expired => "This credential is not valid at this time.",
        ReasonCode.MaxUsesReached => "This credential has been used as many times as it allows.",
        ReasonCode.AccessDisabled => "Your access is switched off. Please contact the front desk.",
        ReasonCode.Blocklisted => "Access is not possible for this person. Please contact the front desk.",
        ReasonCode.DoorBlocked => "This door is closed to everyone right now.",
        ReasonCode.DoorForceClosed => "This door is locked for maintenance.",
        ReasonCode.OutsideAccessHours => "You have access here, but not at this time of day.",
        ReasonCode.NoMatchingRuleOrGrant => "You don't have access to this door.",
        ReasonCode.HolidayClosed => "The site is closed today for a holiday.",
        ReasonCode.EntryPointNotAllowed => "Your invite does not include this entrance.",
        ReasonCode.TicketTypeRequired => "The area behind this door needs a different membership or ticket.",
        ReasonCode.CapacityExceeded => "The area behind this door is full right now.",
        ReasonCode.LocationUnavailable => "We could not get your location. Allow location access and try again.",
        ReasonCode.GpsTooImprecise => "Your location is not precise enough. Step outside or wait a moment and try again.",
        ReasonCode.OutsideGeofence => "You need to be at the site to open this door.",
        ReasonCode.DeviceOffline => "The door's controller is offline. Please contact the front desk.",
        ReasonCode.ServerBusy => "The server is too busy to answer right now; please try again.",
        ReasonCode.OfflineHorizonPassed => "The door's controller has not reached the server for too long to be trusted, so it refuses every card until it does.",
        ReasonCode.OfflineUnverifiable => "The door's controller could not check this without the server (PINs and codes, or a limit only the server knows).",
        ReasonCode.UnknownReader => "This reader is not set up on its controller.",
        ReasonCode.Lockdown => "The building is in lockdown: only responders may pass. Leaving is always possible.",
        ReasonCode.PassbackViolation => "You are already inside this area (or re-entered too soon); leave through an exit first or ask the front desk.",
        ReasonCode.TwoPersonWaiting => "This door needs two people: please wait for a second authorised person to present their card.",
        ReasonCode.AwaitingFirstArrival => "The door's auto-unlock waits for the first arrival of its group today.",
        ReasonCode.QualificationMissing => "This door needs a training you have not completed. Ask staff about the course.",
        ReasonCode.QualificationExpired => "Your training for this door has expired. Ask staff to renew it.",
        ReasonCode.TooManyAttempts => "Too many wrong codes were tried here; this reader is paused for a while. Please try again later.",
        ReasonCode.InternalError => "Something went wrong while deciding; the door stays locked. Please try again or contact the front desk.",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown reason code."),
    };

    public static string For(ActuationOutcome outcome) => outcome switch
    {
        ActuationOutcome.Pending => "Waiting for the door to confirm.",
        ActuationOutcome.ConfirmedUnlocked => "The door unlocked.",
        ActuationOutcome.TimedOut => "The door did not confirm that it unlocked.",
        ActuationOutcome.NotSent => "Nothing was sent to the door.",
        ActuationOutcome.HeldOpen => "The door is held open.",
        ActuationOutcome.LateAck => "The door confirmed, but too late.",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown actuation outcome."),
    };

    /// <summary>The sentence for a reason code string; unknown codes fall back to a general sentence.</summary>
    public static string For(string code) => ByCode.TryGetValue(code, out var text) ? text : "Access was not possible.";

    /// <summary>Code → sentence, as the member app receives it.</summary>
    public static readonly IReadOnlyDictionary<string, string> ByCode =
        Enum.GetValues<ReasonCode>().Select(r => KeyValuePair.Create(r.ToCode(), For(r)))
            .Concat(Enum.GetValues<ActuationOutcome>().Select(o => KeyValuePair.Create(o.ToCode(), For(o))))
            .ToDictionary(StringComparer.Ordinal);
}
