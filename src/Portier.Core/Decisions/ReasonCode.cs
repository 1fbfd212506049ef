namespace Portier.Core.Decisions;

/// <summary>
/// Why a decision came out as it did. A closed set; the snake_case strings from
/// <see cref="ReasonCodes.ToCode"/> are part of the public API and never change.
/// </summary>
public enum ReasonCode
{
    /// <summary><c>granted</c>: every check passed.</summary>
    Granted,
    /// <summary><c>unknown_person</c>: the person id is not in the snapshot.</summary>
    UnknownPerson,
    /// <summary><c>unknown_door</c>: the door id is not in the snapshot.</summary>
    UnknownDoor,
    /// <summary><c>invalid_credential</c>: no credential of that kind has that value.</summary>
    InvalidCredential,
    /// <summary><c>credential_revoked</c>.</summary>
    CredentialRevoked,
    /// <summary><c>expired</c>: the instant is outside the credential's validity window.</summary>
    Expired,
    /// <summary><c>max_uses_reached</c>: the live use count has reached the credential's maximum.</summary>
    MaxUsesReached,
    /// <summary><c>access_disabled</c>: the person's kill switch is off.</summary>
    AccessDisabled,
    /// <summary><c>blocklisted</c>.</summary>
    Blocklisted,
    /// <summary><c>door_blocked</c>: the door blocks all access.</summary>
    DoorBlocked,
    /// <summary><c>door_force_closed</c>: the door is in force-closed maintenance.</summary>
    DoorForceClosed,
    /// <summary><c>outside_access_hours</c>: a rule matched the person but not the time, and no grant passed.</summary>
    OutsideAccessHours,
    /// <summary><c>no_matching_rule_or_grant</c>.</summary>
    NoMatchingRuleOrGrant,
    /// <summary>
    /// <c>holiday_closed</c>: a holiday calendar closes the site on this local date, for the rules and
    /// grants to which holidays apply, and no other path passed.
    /// </summary>
    HolidayClosed,
    /// <summary><c>entry_point_not_allowed</c>: an invite credential presented at a door it may not open.</summary>
    EntryPointNotAllowed,
    /// <summary><c>ticket_type_required</c>: the zone behind the door admits other person types or tags only.</summary>
    TicketTypeRequired,
    /// <summary><c>capacity_exceeded</c>: entering would exceed the zone's capacity.</summary>
    CapacityExceeded,
    /// <summary><c>location_unavailable</c>: the app reported no location.</summary>
    LocationUnavailable,
    /// <summary><c>gps_too_imprecise</c>: the reported accuracy is worse than the geofence requires.</summary>
    GpsTooImprecise,
    /// <summary><c>outside_geofence</c>: distance &gt; radius + accuracy + buffer.</summary>
    OutsideGeofence,
    /// <summary><c>device_offline</c>: no controller heartbeat in the last 5 minutes.</summary>
    DeviceOffline,
    /// <summary><c>internal_error</c>: something failed while deciding or recording; the attempt is denied (fail closed).</summary>
    InternalError,
    /// <summary><c>server_busy</c>: the server could not take the scan now (its scan queue is full or it is stopping); nothing was decided.</summary>
    ServerBusy,
    /// <summary>
    /// <c>too_many_attempts</c>: the reader, the site or the presented PIN is backed off after repeated invalid
    /// credentials; the credential was not looked at.
    /// </summary>
    TooManyAttempts,
    /// <summary>
    /// <c>offline_horizon_passed</c>: decided by a controller that has not heard from the server for longer
    /// than its site's revocation horizon; it refuses every credential until it hears from the server again.
    /// </summary>
    OfflineHorizonPassed,
    /// <summary>
    /// <c>offline_unverifiable</c>: decided by a controller without the server, which could not check what
    /// the attempt needed: a PIN or one-time code (never carried to controllers), or a live fact the door
    /// says must be refused offline (a zone capacity, a use limit).
    /// </summary>
    OfflineUnverifiable,
    /// <c>unknown_reader</c>: a controller's scan named a reader it has not registered, and the scan could not be
    /// placed at a door (the controller has registered readers, so the reader may stand at any of its doors, or it has no default door); nothing was decided.
    /// </summary>
    UnknownReader,
    /// <summary>
    /// <c>lockdown</c>: the door is under an active lockdown plan and the person is not one of its
    /// responders (or the door's schedule asked to open it). Never given for an exit passage.
    /// </summary>
    Lockdown,
    /// <c>passback_violation</c>: the zone's anti-passback refuses this entry: hard, a second entry without an
    /// exit; timed, a re-entry within the zone's minutes of the last entry.
    /// </summary>
    PassbackViolation,
    /// <summary>
    /// <c>two_person_waiting</c>: the door needs two different authorised people within its window, and no
    /// other person is waiting; this person now waits for a second (their credential passed every other check).
    /// </summary>
    TwoPersonWaiting,
    /// <summary>
    /// <c>awaiting_first_arrival</c>: the door's auto-unlock is first-to-arrive and nobody of its group has been
    /// granted (at the door, or anywhere on the site) since the start of the site's local day; only the schedule gets it.
    /// </summary>
    AwaitingFirstArrival,
    /// <summary>
    /// <c>qualification_missing</c>: the door (or one of its scopes) requires a qualification the person has never
    /// held, no longer holds (revoked) or holds only from a later instant.
    /// </summary>
    QualificationMissing,
    /// <summary><c>qualification_expired</c>: the person's qualification that the door requires expired at or before the instant.</summary>
    QualificationExpired,
}

/// <summary>How a granted decision was authorised.</summary>
public enum DecisionPath
{
    None,
    /// <summary>The door's effective access rules.</summary>
    Rule,
    /// <summary>A per-user grant without a validity window.</summary>
    Grant,
    /// <summary>A per-user grant with a validity window.</summary>
    TemporaryGrant,
    /// <summary>An invite credential at one of its points of entry.</summary>
    Invite,
    /// <summary>An administrator opened the door remotely; rules and grants do not apply, the controller must be online.</summary>
    AdminOverride,
    /// <summary>The door's auto-unlock schedule holds it open.</summary>
    Schedule,
    /// <summary>An administrator opened a door that is under an active lockdown plan (an override still opens it).</summary>
    LockdownOverride,
}

/// <summary>Stable string forms of <see cref="ReasonCode"/> and <see cref="DecisionPath"/>.</summary>
public static class ReasonCodes
{
    public static string ToCode(this ReasonCode reason) => reason switch
    {
        ReasonCode.Granted => "granted",
        ReasonCode.UnknownPerson => "unknown_person",
        ReasonCode.UnknownDoor => "unknown_door",
        ReasonCode.InvalidCredential => "invalid_credential",
        ReasonCode.CredentialRevoked => "credential_revoked",
        ReasonCode.Expired => "expired",
        ReasonCode.MaxUsesReached => "max_uses_reached",
        ReasonCode.AccessDisabled => "access_disabled",
        ReasonCode.Blocklisted => "blocklisted",
        ReasonCode.DoorBlocked => "door_blocked",
        ReasonCode.DoorForceClosed => "door_force_closed",
        ReasonCode.OutsideAccessHours => "outside_access_hours",
        ReasonCode.NoMatchingRuleOrGrant => "no_matching_rule_or_grant",
        ReasonCode.HolidayClosed => "holiday_closed",
        ReasonCode.EntryPointNotAllowed => "entry_point_not_allowed",
        ReasonCode.TicketTypeRequired => "ticket_type_required",
        ReasonCode.CapacityExceeded => "capacity_exceeded",
        ReasonCode.LocationUnavailable => "location_unavailable",
        ReasonCode.GpsTooImprecise => "gps_too_imprecise",
        ReasonCode.OutsideGeofence => "outside_geofence",
        ReasonCode.DeviceOffline => "device_offline",
        ReasonCode.InternalError => "internal_error",
        ReasonCode.ServerBusy => "server_busy",
        ReasonCode.TooManyAttempts => "too_many_attempts",
        ReasonCode.OfflineHorizonPassed => "offline_horizon_passed",
        ReasonCode.OfflineUnverifiable => "offline_unverifiable",
        ReasonCode.UnknownReader => "unknown_reader",
        ReasonCode.Lockdown => "lockdown",
        ReasonCode.PassbackViolation => "passback_violation",
        ReasonCode.TwoPersonWaiting => "two_person_waiting",
        ReasonCode.AwaitingFirstArrival => "awaiting_first_arrival",
        ReasonCode.QualificationMissing => "qualification_missing",
        ReasonCode.QualificationExpired => "qualification_expired",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>Parses a code produced by <see cref="ToCode(ReasonCode)"/>.</summary>
    public static bool TryParse(string code, out ReasonCode reason)
    {
        foreach (var candidate in Enum.GetValues<ReasonCode>())
        {
            if (string.Equals(candidate.ToCode(), code, StringComparison.Ordinal))
            {
                reason = candidate;
                return true;
            }
        }
        reason = default;
        return false;
    }

    /// <summary>Parses a code produced by <see cref="ToCode(DecisionPath)"/>.</summary>
    public static DecisionPath ParsePath(string code) =>
        TryParsePath(code, out var path) ? path : throw new FormatException($"'{code}' is not a decision path.");

    /// <summary>Parses a code produced by <see cref="ToCode(DecisionPath)"/>; false (and <see cref="DecisionPath.None"/>) for any other text.</summary>
    public static bool TryParsePath(string code, out DecisionPath path)
    {
        foreach (var candidate in Enum.GetValues<DecisionPath>())
        {
            if (!string.Equals(candidate.ToCode(), code, StringComparison.Ordinal)) continue;
            path = candidate;
            return true;
        }
        path = DecisionPath.None;
        return false;
    }

    public static string ToCode(this DecisionPath path) => path switch
    {
        DecisionPath.None => "none",
        DecisionPath.Rule => "rule",
        DecisionPath.Grant => "grant",
        DecisionPath.TemporaryGrant => "temporary_grant",
        DecisionPath.Invite => "invite",
        DecisionPath.AdminOverride => "admin_override",
        DecisionPath.Schedule => "schedule",
        DecisionPath.LockdownOverride => "lockdown_override",
        _ => throw new ArgumentOutOfRangeException(nameof(path), path, null),
    };
}
