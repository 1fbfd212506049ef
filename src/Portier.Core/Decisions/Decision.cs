using NodaTime;
using Portier.Core.Model;

namespace Portier.Core.Decisions;

/// <summary>
/// The answer: allowed or not, the first failing check's reason (<see cref="ReasonCode.Granted"/>
/// when allowed) and the path that allowed it (<see cref="DecisionPath.None"/> when denied).
/// <see cref="DoorHeldOpen"/> tells the caller the door is in force-open maintenance, so there is
/// nothing to actuate.
/// </summary>
public readonly record struct Decision(bool Allowed, ReasonCode Reason, DecisionPath Path, bool DoorHeldOpen = false)
{
    /// <summary>
    /// The zone's anti-passback broken by this passage: on a grant, one soft mode, an exit or an
    /// administrator's override let through; on a <see cref="ReasonCode.PassbackViolation"/> denial, the one refused.
    /// </summary>
    public PassbackViolation Passback { get; init; }

    /// <summary>At a two-person door, the person who was waiting and with whom this grant opens the door; null otherwise.</summary>
    public Guid? Companion { get; init; }

    /// <summary>A denial for <paramref name="reason"/>, e.g. a credential refused before it could be looked up.</summary>
    public static Decision Deny(ReasonCode reason) => new(false, reason, DecisionPath.None);
}

/// <summary>A location reported by the app: WGS84 degrees and the reading's accuracy radius in metres.</summary>
public readonly record struct GeoLocation(double Latitude, double Longitude, double AccuracyMeters);

/// <summary>
/// One unlock attempt: who (a person id, or a credential's kind and lookup value), which door and
/// when. <see cref="GeofenceApplies"/> is true for app unlocks (the phone reports a location) and
/// false for a card or code presented at a reader. <see cref="Location"/> null = the phone could
/// not provide one.
/// </summary>
public readonly record struct DecisionRequest
{
    public Guid PersonId { get; init; }
    public CredentialKind CredentialKind { get; init; }
    /// <summary>Null for a request by person id.</summary>
    public string? CredentialValue { get; init; }
    public Guid DoorId { get; init; }
    public Instant At { get; init; }
    public bool GeofenceApplies { get; init; }
    public GeoLocation? Location { get; init; }

    /// <summary>Who asks: a person or credential (the full decision), an administrator's override or the door's schedule.</summary>
    public RequestOrigin Origin { get; init; }

    /// <summary>
    /// The way this passage goes, when the one asking knows it (an entry or an exit reader): replaces the
    /// door's own direction for the zone checks, so an exit reader's passage frees a place and is never
    /// refused for capacity. Null = the door's direction.
    /// </summary>
    public DoorDirection? Direction { get; init; }

    public bool ByCredential => CredentialValue is not null;

    /// <summary>An app unlock by a signed-in person: the geofence applies.</summary>
    public static DecisionRequest AppUnlock(Guid personId, Guid doorId, Instant at, GeoLocation? location) =>
        new() { PersonId = personId, DoorId = doorId, At = at, GeofenceApplies = true, Location = location };

    /// <summary>A decision for a known person without a location check (e.g. a dry run).</summary>
    public static DecisionRequest ForPerson(Guid personId, Guid doorId, Instant at) =>
        new() { PersonId = personId, DoorId = doorId, At = at };

    /// <summary>
    /// An administrator opens the door remotely: no person, rules or door blocks apply, but the controller must be online.
    /// Naming the <paramref name="personId"/> let through records their passage against the zone's anti-passback (never refused).
    /// </summary>
    public static DecisionRequest AdminOverride(Guid doorId, Instant at, Guid? personId = null) =>
        new() { DoorId = doorId, At = at, Origin = RequestOrigin.AdminOverride, PersonId = personId ?? Guid.Empty };

    /// <summary>The door's auto-unlock schedule asks to hold it open: only force-closed maintenance refuses.</summary>
    public static DecisionRequest Schedule(Guid doorId, Instant at) =>
        new() { DoorId = doorId, At = at, Origin = RequestOrigin.Schedule };

    /// <summary>A credential presented at a reader: no geofence.</summary>
    public static DecisionRequest Scan(CredentialKind kind, string value, Guid doorId, Instant at, DoorDirection? direction = null) =>
        new() { CredentialKind = kind, CredentialValue = value, DoorId = doorId, At = at, Direction = direction };
}

/// <summary>
/// Who asks for the door: <see cref="Presented"/> a person or a credential (every check of the
/// decision order), <see cref="AdminOverride"/> an administrator (the door and controller checks only:
/// an override opens a blocked or force-closed door, never counts against capacity, but cannot reach
/// an offline controller), <see cref="Schedule"/> the door's auto-unlock hours (refused only by
/// force-closed maintenance; the controller is told when it is next heard from).
/// </summary>
public enum RequestOrigin { Presented, AdminOverride, Schedule }

/// <summary>
/// Facts that change faster than the policy, read by the caller just before deciding:
/// the occupancy of the zone behind the door, the last heartbeat of the door's controller
/// (null = never seen) and how often the presented credential has been used.
/// </summary>
public readonly record struct LiveFacts(int ZoneOccupancy, Instant? DeviceLastSeen, int CredentialUseCount = 0)
{
    /// <summary>The person's presence in the zone behind the door, for its anti-passback (default: unknown).</summary>
    public ZonePresence Presence { get; init; }

    /// <summary>At a two-person door, the person waiting there for a second (default: nobody).</summary>
    public TwoPersonWait Waiting { get; init; }
    /// <summary>
    /// For the schedule of a first-to-arrive door: the earliest grant of a group member on the site's current
    /// local date (null = none yet). One from an earlier day, or after the attempt, does not count.
    /// </summary>
    public Doors.FirstArrival? FirstArrival { get; init; }

    /// <summary>How long after its last heartbeat a controller still counts as online (inclusive).</summary>
    public static readonly Duration HeartbeatWindow = Duration.FromMinutes(5);

    /// <summary>An empty zone and a controller seen at <paramref name="at"/>.</summary>
    public static LiveFacts OnlineAt(Instant at) => new(0, at);
}
