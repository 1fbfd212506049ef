using System.Text.Json;
using Portier.Core.Decisions;
using Portier.Core.Invites;
using Portier.Core.Model;
using Portier.Core.Doors;
using Portier.Core.Policy;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Bundles;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Invites;
using Portier.Server.Features.Providers;
using Portier.Server.Features.Webhooks;
using Portier.Core.EventPolicies;

namespace Portier.Server.Features.Wording;

/// <summary>
/// The short words a person reads for every code the server keeps: reasons, outcomes, methods and
/// statuses. Codes stay what the API, JSON and exports carry; the console shows these labels and keeps
/// the code on hover. Every switch is exhaustive and throws on a value it does not know, and
/// <see cref="Shown"/> lists every set the console shows, so a new value without a label fails its test.
/// </summary>
public static class Labels
{
    /// <summary>The closed sets a person reads somewhere; <see cref="Of(Enum)"/> answers every value of each.</summary>
    public static readonly IReadOnlyList<Type> Shown =
    [
        typeof(ReasonCode), typeof(ActuationOutcome), typeof(AccessMethod), typeof(CredentialKind), typeof(DecisionPath),
        typeof(PassbackViolation), typeof(InviteStatus), typeof(CredentialMethod), typeof(DeliveryStatus), typeof(DeviceState),
        typeof(DoorSensorState), typeof(MaintenanceMode), typeof(DoorOverrideMode), typeof(AlarmKind), typeof(ProviderHealth),
        typeof(AccessTaskStatus), typeof(AccessTaskAction), typeof(LockdownKind), typeof(RevocationKind), typeof(PersonSource),
    ];

    /// <summary>The label of any value of a set in <see cref="Shown"/>.</summary>
    public static string Of(Enum value) => value switch
    {
        ReasonCode v => Of(v),
        ActuationOutcome v => Of(v),
        AccessMethod v => Of(v),
        CredentialKind v => Of(v),
        DecisionPath v => Of(v),
        PassbackViolation v => Of(v),
        InviteStatus v => Of(v),
        CredentialMethod v => Of(v),
        DeliveryStatus v => Of(v),
        DeviceState v => Of(v),
        DoorSensorState v => Of(v),
        MaintenanceMode v => Of(v),
        DoorOverrideMode v => Of(v),
        AlarmKind v => Of(v),
        ProviderHealth v => Of(v),
        AccessTaskStatus v => Of(v),
        AccessTaskAction v => Of(v),
        LockdownKind v => Of(v),
        RevocationKind v => Of(v),
        PersonSource v => Of(v),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "No label for this kind of value."),
    };

    /// <summary>The code of a value as the API and exports spell it (snake_case; reason codes and outcomes by their own tables).</summary>
    public static string Code(Enum value) => value switch
    {
        ReasonCode v => v.ToCode(),
        ActuationOutcome v => v.ToCode(),
        DecisionPath v => v.ToCode(),
        _ => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString()),
    };

    public static string Of(ReasonCode reason) => reason switch
    {
        ReasonCode.Granted => "Granted",
        ReasonCode.UnknownPerson => "Person not known at this site",
        ReasonCode.UnknownDoor => "Door not known",
        ReasonCode.InvalidCredential => "Card, code or PIN not recognised",
        ReasonCode.CredentialRevoked => "Credential revoked",
        ReasonCode.Expired => "Credential not valid at this time",
        ReasonCode.MaxUsesReached => "Credential used as often as it allows",
        ReasonCode.AccessDisabled => "Access switched off for this person",
        ReasonCode.Blocklisted => "Person is blocklisted",
        ReasonCode.DoorBlocked => "Door blocks all access",
        ReasonCode.DoorForceClosed => "Door force closed for maintenance",
        ReasonCode.OutsideAccessHours => "Outside access hours",
        ReasonCode.NoMatchingRuleOrGrant => "No rule or grant allows this person here",
        ReasonCode.HolidayClosed => "Site closed for a holiday",
        ReasonCode.EntryPointNotAllowed => "Invite does not include this entrance",
        ReasonCode.TicketTypeRequired => "Area needs another person type or ticket",
        ReasonCode.CapacityExceeded => "Zone is full",
        ReasonCode.LocationUnavailable => "Phone gave no location",
        ReasonCode.GpsTooImprecise => "Location not precise enough",
        ReasonCode.OutsideGeofence => "Outside the site's geofence",
        ReasonCode.DeviceOffline => "Door controller offline",
        ReasonCode.InternalError => "Server error, door stayed locked",
        ReasonCode.ServerBusy => "Server too busy to answer",
        ReasonCode.TooManyAttempts => "Too many wrong tries, reader paused",
        ReasonCode.OfflineHorizonPassed => "Controller offline too long to be trusted",
        ReasonCode.OfflineUnverifiable => "Controller could not check this offline",
        ReasonCode.UnknownReader => "Reader not set up on its controller",
        ReasonCode.Lockdown => "Lockdown in force",
        ReasonCode.PassbackViolation => "Anti-passback: already inside or back too soon",
        ReasonCode.TwoPersonWaiting => "Waiting for a second person",
        ReasonCode.AwaitingFirstArrival => "Waiting for the first arrival of the day",
        ReasonCode.QualificationMissing => "Required training missing",
        ReasonCode.QualificationExpired => "Required training expired",
        _ => throw Unknown(reason),
    };

    public static string Of(ActuationOutcome outcome) => outcome switch
    {
        ActuationOutcome.Pending => "Waiting for the door",
        ActuationOutcome.ConfirmedUnlocked => "Unlocked (confirmed)",
        ActuationOutcome.TimedOut => "No confirmation in time",
        ActuationOutcome.NotSent => "Nothing sent to the door",
        ActuationOutcome.HeldOpen => "Door held open",
        ActuationOutcome.LateAck => "Confirmed too late",
        _ => throw Unknown(outcome),
    };

    public static string Of(AccessMethod method) => method switch
    {
        AccessMethod.Scan => "Reader",
        AccessMethod.AppUnlock => "Member app",
        AccessMethod.AdminOverride => "Admin override",
        AccessMethod.Scheduled => "Auto-unlock schedule",
        _ => throw Unknown(method),
    };

    public static string Of(CredentialKind kind) => kind switch
    {
        CredentialKind.Card => "Card",
        CredentialKind.Barcode => "Barcode",
        CredentialKind.Pin => "PIN",
        CredentialKind.Qr => "QR code",
        CredentialKind.Otp => "One-time code",
        CredentialKind.Mobile => "Mobile credential",
        _ => throw Unknown(kind),
    };

    public static string Of(DecisionPath path) => path switch
    {
        DecisionPath.None => "None",
        DecisionPath.Rule => "Access rules",
        DecisionPath.Grant => "Per-user grant",
        DecisionPath.TemporaryGrant => "Temporary grant",
        DecisionPath.Invite => "Invite",
        DecisionPath.AdminOverride => "Admin override",
        DecisionPath.Schedule => "Auto-unlock schedule",
        DecisionPath.LockdownOverride => "Admin override during a lockdown",
        _ => throw Unknown(path),
    };

    public static string Of(PassbackViolation violation) => violation switch
    {
        PassbackViolation.None => "None",
        PassbackViolation.EntryWithoutExit => "Entry without exit",
        PassbackViolation.ReentryTooSoon => "Back in too soon",
        PassbackViolation.ExitWithoutEntry => "Exit without entry",
        _ => throw Unknown(violation),
    };

    public static string Of(InviteStatus status) => status switch
    {
        InviteStatus.Draft => "Draft",
        InviteStatus.Pending => "Pending",
        InviteStatus.Accepted => "Accepted",
        InviteStatus.Cancelled => "Cancelled",
        InviteStatus.Expired => "Expired",
        _ => throw Unknown(status),
    };

    public static string Of(CredentialMethod method) => method switch
    {
        CredentialMethod.Pin => "PIN",
        CredentialMethod.Otp => "One-time code",
        CredentialMethod.Qr => "QR code",
        CredentialMethod.Fingerprint => "Fingerprint",
        CredentialMethod.Facial => "Face",
        CredentialMethod.Liveness => "Liveness check",
        _ => throw Unknown(method),
    };

    public static string Of(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Pending => "Waiting to send",
        DeliveryStatus.Succeeded => "Delivered",
        DeliveryStatus.Failed => "Failed",
        _ => throw Unknown(status),
    };

    public static string Of(DeviceState state) => state switch
    {
        DeviceState.Unpaired => "Awaiting pairing",
        DeviceState.Paired => "Paired",
        DeviceState.Revoked => "Unpaired",
        _ => throw Unknown(state),
    };

    public static string Of(DoorSensorState state) => state switch
    {
        DoorSensorState.Unknown => "Not reported",
        DoorSensorState.Closed => "Closed",
        DoorSensorState.Open => "Open",
        _ => throw Unknown(state),
    };

    public static string Of(MaintenanceMode mode) => mode switch
    {
        MaintenanceMode.Normal => "Normal",
        MaintenanceMode.ForceOpen => "Force open",
        MaintenanceMode.ForceClosed => "Force closed",
        _ => throw Unknown(mode),
    };

    public static string Of(DoorOverrideMode mode) => mode switch
    {
        DoorOverrideMode.Unlock => "Unlocked",
        DoorOverrideMode.ForceOpen => "Force open",
        DoorOverrideMode.ForceClosed => "Force closed",
        _ => throw Unknown(mode),
    };

    public static string Of(AlarmKind kind) => kind switch
    {
        AlarmKind.DoorForcedOpen => "Forced open",
        AlarmKind.DoorHeldOpenWarning => "Held open (warning)",
        AlarmKind.DoorHeldOpen => "Held open",
        AlarmKind.InvalidCredentialBurst => "Many unknown cards at a reader",
        AlarmKind.WebhookEndpointDisabled => "Webhook endpoint disabled",
        AlarmKind.RevocationFailed => "Revocation failed",
        _ => throw Unknown(kind),
    };

    public static string Of(ProviderHealth health) => health switch
    {
        ProviderHealth.Unknown => "Not tested yet",
        ProviderHealth.Healthy => "Healthy",
        ProviderHealth.Unhealthy => "Unhealthy",
        _ => throw Unknown(health),
    };

    public static string Of(AccessTaskStatus status) => status switch
    {
        AccessTaskStatus.NotYetScheduled => "Not yet scheduled",
        AccessTaskStatus.Pending => "Pending",
        AccessTaskStatus.Scheduled => "Scheduled",
        AccessTaskStatus.Executed => "Done",
        AccessTaskStatus.Failed => "Failed",
        AccessTaskStatus.Cancelled => "Cancelled",
        _ => throw Unknown(status),
    };

    public static string Of(AccessTaskAction action) => action switch
    {
        AccessTaskAction.Grant => "Grant",
        AccessTaskAction.Revoke => "Revoke",
        _ => throw Unknown(action),
    };

    public static string Of(LockdownKind kind) => kind switch
    {
        LockdownKind.Lockdown => "Lockdown",
        LockdownKind.Evacuation => "Evacuation",
        _ => throw Unknown(kind),
    };

    public static string Of(RevocationKind kind) => kind switch
    {
        RevocationKind.CredentialRevoked => "Credential revoked",
        RevocationKind.CredentialRemoved => "Credential removed",
        RevocationKind.PersonDisabled => "Person's access switched off",
        RevocationKind.PersonBlocklisted => "Person blocklisted",
        RevocationKind.PersonRemoved => "Person removed",
        RevocationKind.GrantRemoved => "Grant removed",
        RevocationKind.GrantNarrowed => "Grant narrowed",
        _ => throw Unknown(kind),
    };

    public static string Of(PersonSource source) => source switch
    {
        PersonSource.Manual => "Manually added",
        PersonSource.Integration => "External integration",
        PersonSource.Cv => "CCTV / computer vision",
        _ => throw Unknown(source),
    };

    /// <summary>
    /// The label of an access-log reason code: a decision's reason or the door's outcome. A code this
    /// server does not know (from a newer node) is shown as words, never hidden.
    /// </summary>
    public static string Reason(string code) =>
        EventReason.TryParse(code, out var reason)
            ? reason.Outcome is { } outcome ? Of(outcome) : Of(reason.Decision!.Value)
            : TitleCase(code);

    /// <summary>The label of a credential kind as the access log names it (<c>card</c>, <c>pin</c>, …).</summary>
    public static string Credential(string? code) => code is null ? "" : OfCode<CredentialKind>(code);

    /// <summary>The label of a value given by its code (<see cref="Code"/>); a code of no value is title-cased.</summary>
    public static string OfCode<T>(string code) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
            if (string.Equals(Code(value), code, StringComparison.Ordinal)) return Of(value);
        return TitleCase(code);
    }

    /// <summary>How an attempt was made: the credential kind for a reader scan, else the method.</summary>
    public static string Method(AccessMethod method, string? credentialKind) =>
        method == AccessMethod.Scan && credentialKind is not null ? Credential(credentialKind) : Of(method);

    /// <summary>Why a webhook endpoint is disabled, from its stored reason code.</summary>
    public static string WebhookDisabled(string? reason) => reason switch
    {
        WebhooksApi.ManualDisable => "by an admin",
        WebhookEndpoint.Gone => "the receiver answered 410 Gone",
        WebhookEndpoint.Failing => "every delivery failed for days",
        null => "",
        _ => TitleCase(reason).ToLowerInvariant(),
    };

    /// <summary>
    /// A membership status as the source system spells it (<c>active</c>, <c>ON_HOLD</c>, <c>Cancelled</c>):
    /// the common ones in their usual words, any other title-cased.
    /// </summary>
    public static string MembershipStatus(string? status)
    {
        if (string.IsNullOrWhiteSpace(status)) return "";
        var key = new string([.. status.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
        return key switch
        {
            "active" => "Active",
            "current" => "Current",
            "expired" => "Expired",
            "onhold" => "On hold",
            "cancelled" or "canceled" => "Cancelled",
            "pending" => "Pending",
            _ => TitleCase(status),
        };
    }

    /// <summary>Words of a code or name, each capitalised: <c>no_show</c> → "No Show".</summary>
    public static string TitleCase(string text)
    {
        var words = text.Split(['_', '-', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(' ', words.Select(w => char.ToUpperInvariant(w[0]) + w[1..].ToLowerInvariant()));
    }

    private static ArgumentOutOfRangeException Unknown<T>(T value) where T : struct, Enum =>
        new(typeof(T).Name, value, $"No label for this {typeof(T).Name}.");
}
