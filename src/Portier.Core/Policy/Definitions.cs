using NodaTime;
using Portier.Core.Doors;
using Portier.Core.Calendars;
using Portier.Core.Model;
using Portier.Core.Schedules;

namespace Portier.Core.Policy;

/// <summary>
/// A circle around a site that app unlocks must be inside. A reading passes when its accuracy is
/// at most <see cref="RequiredAccuracyMeters"/> and its distance from the centre is at most
/// radius + reported accuracy + <see cref="BufferMeters"/>. A disabled geofence checks nothing;
/// as an override it switches the check off for the doors it covers.
/// </summary>
public sealed record GeofenceDefinition(
    double CentreLatitude,
    double CentreLongitude,
    double RadiusMeters,
    double RequiredAccuracyMeters,
    double BufferMeters = GeofenceDefinition.DefaultBufferMeters,
    bool Enabled = true)
{
    /// <summary>Metres added to the radius to tolerate ordinary GPS noise.</summary>
    public const double DefaultBufferMeters = 25;
}

/// <summary>
/// "If person type is <see cref="PersonType"/> and status is one of <see cref="Statuses"/>".
/// An empty status list means any status.
/// </summary>
public sealed record PersonTypeRule(string PersonType, IReadOnlyList<string> Statuses)
{
    public PersonTypeRule(string personType) : this(personType, []) { }
}

/// <summary>
/// The rule path's policy at one level (site, scope override or door override): a person passes
/// when the instant is inside <see cref="Hours"/> (empty = always) and either a person-type rule
/// matches or one of their synced or custom tags is in <see cref="AllowedTags"/>.
/// An override replaces the whole set; it is never merged with the level below.
/// </summary>
public sealed record RuleSet(
    IReadOnlyList<PersonTypeRule> PersonTypeRules,
    IReadOnlyList<string> AllowedTags,
    WeeklyHours Hours)
{
    /// <summary>Matches nobody: with it only grants and invites open a door.</summary>
    public static readonly RuleSet Nobody = new([], [], WeeklyHours.Always);

    /// <summary>
    /// Whether the site's holiday calendars apply to this rule path (default): a closed day refuses it
    /// with <c>holiday_closed</c>, a special-hours day replaces <see cref="Hours"/>.
    /// </summary>
    public bool HolidaysApply { get; init; } = true;
}

/// <summary>One facility. Weekly hours of its rules and of grants at it are read in <see cref="TimeZoneId"/> (IANA).</summary>
public sealed record SiteDefinition(Guid Id, string TimeZoneId, RuleSet Rules)
{
    /// <summary>The site-level geofence; null means none.</summary>
    public GeofenceDefinition? Geofence { get; init; }
}

/// <summary>
/// An opening a controller actuates. <see cref="RuleOverride"/> and <see cref="GeofenceOverride"/>,
/// when set, replace whatever the site or its scopes say for this door.
/// </summary>
public sealed record DoorDefinition(Guid Id, Guid SiteId)
{
    /// <summary>The zone this door leads into, if any (capacity and ticket types apply on entry).</summary>
    public Guid? ZoneId { get; init; }
    public DoorDirection Direction { get; init; } = DoorDirection.Both;
    /// <summary>How long the relay is released after an unlock: 1–30 s, default 10 s.</summary>
    public Duration HoldTime { get; init; } = Duration.FromSeconds(10);
    /// <summary>Denies every unlock at this door, grants included (the admin unlock is outside the engine).</summary>
    public bool BlockAllAccess { get; init; }
    public MaintenanceMode Maintenance { get; init; } = MaintenanceMode.Normal;
    /// <summary>A timed override, in force until its end (the engine reads the end against the attempt's instant).</summary>
    public DoorOverride? Override { get; init; }
    public RuleSet? RuleOverride { get; init; }
    public GeofenceDefinition? GeofenceOverride { get; init; }
    public IReadOnlyList<Guid> ScopeIds { get; init; } = [];
    /// <summary>Whether visitors' invite credentials may be used here.</summary>
    public bool IsPointOfEntry { get; init; }
    /// <summary>False exempts the door from holiday calendars: its rules, grants and auto-unlock follow the weekly hours alone.</summary>
    public bool HolidaysApply { get; init; } = true;
    /// <summary>
    /// The two-person rule's window (see <see cref="Decisions.TwoPersonRule"/>): a presented credential opens the door only
    /// when a different authorised person presented one at most this long before. Null = off.
    /// </summary>
    public Duration? TwoPersonWindow { get; init; }
    /// <summary>First-to-arrive: the auto-unlock windows latch only after a group member's grant today; null = off.</summary>
    public FirstArrivalRule? FirstArrival { get; init; }
    /// <summary>Qualifications a person must hold to open the door, on top of those its scopes require (the union applies).</summary>
    public IReadOnlyList<Guid> RequiredQualificationIds { get; init; } = [];
}

/// <summary>A named set of doors used for grants and for scope-level overrides.</summary>
public sealed record ScopeDefinition(Guid Id, Guid SiteId)
{
    public RuleSet? RuleOverride { get; init; }
    public GeofenceDefinition? GeofenceOverride { get; init; }
    /// <summary>False exempts every door of the scope from holiday calendars, as the door's own switch does.</summary>
    public bool HolidaysApply { get; init; } = true;
    /// <summary>Qualifications every door of the scope requires (added to the door's own).</summary>
    public IReadOnlyList<Guid> RequiredQualificationIds { get; init; } = [];
}

/// <summary>
/// An area doors lead into. <see cref="Capacity"/> null = unlimited. A person entering must carry
/// one of the admitted ticket types: their person type in <see cref="RequiredPersonTypes"/> or a tag
/// in <see cref="RequiredTags"/>; both empty = no requirement.
/// </summary>
public sealed record ZoneDefinition(Guid Id, Guid SiteId)
{
    public int? Capacity { get; init; }
    public IReadOnlyList<string> RequiredPersonTypes { get; init; } = [];
    public IReadOnlyList<string> RequiredTags { get; init; } = [];
    /// <summary>The zone's anti-passback; off by default.</summary>
    public PassbackRule Passback { get; init; }
}

/// <summary>Anyone who may pass. Synced and custom tags both satisfy tag rules.</summary>
public sealed record PersonDefinition(Guid Id, string PersonType, string MembershipStatus)
{
    /// <summary>
    /// The site whose record this person is. Set, the person and their credentials are known at that
    /// site's doors only (elsewhere: <c>unknown_person</c> / <c>invalid_credential</c>), and a card
    /// number need only be unique per site. Null = one record valid at every site.
    /// </summary>
    public Guid? SiteId { get; init; }
    public IReadOnlyList<string> SyncedTags { get; init; } = [];
    public IReadOnlyList<string> CustomTags { get; init; } = [];
    /// <summary>The kill switch: false denies everything with <c>access_disabled</c>.</summary>
    public bool AccessEnabled { get; init; } = true;
    public bool Blocklisted { get; init; }
    /// <summary>The qualifications the person holds (one per qualification; of several, the one lasting longest counts).</summary>
    public IReadOnlyList<HeldQualification> Qualifications { get; init; } = [];
}

/// <summary>A training or competency a door or scope may require; <see cref="Name"/> is for the explainer.</summary>
public sealed record QualificationDefinition(Guid Id, string Name);

/// <summary>
/// A qualification a person holds: from <see cref="From"/> inclusive (null = always) until <see cref="Until"/>
/// exclusive (null = it does not expire). Before its start it is missing; at or after its end it is expired.
/// </summary>
public sealed record HeldQualification(Guid QualificationId, Instant? From = null, Instant? Until = null);

/// <summary>
/// Explicit access for one person at one site: the whole site, listed doors, or listed scopes.
/// <see cref="Hours"/> null = any time. A grant with a validity window (<see cref="ValidFrom"/>
/// inclusive, <see cref="ValidUntil"/> exclusive) is a temporary grant. Overrides do not touch grants.
/// </summary>
public sealed record GrantDefinition(Guid Id, Guid PersonId, Guid SiteId)
{
    public bool SiteWide { get; init; }
    public IReadOnlyList<Guid> DoorIds { get; init; } = [];
    public IReadOnlyList<Guid> ScopeIds { get; init; } = [];
    public WeeklyHours? Hours { get; init; }
    public Instant? ValidFrom { get; init; }
    public Instant? ValidUntil { get; init; }
    /// <summary>Whether holiday calendars apply to this grant (default): a closed day refuses it, a special-hours day replaces its hours.</summary>
    public bool HolidaysApply { get; init; } = true;

    public bool IsTemporary => ValidFrom.HasValue || ValidUntil.HasValue;
}

/// <summary>
/// What a person presents. <see cref="Value"/> is the lookup key matched exactly: a card number,
/// a barcode, or for PINs the keyed hash the server computes (the engine never sees a PIN).
/// Valid from <see cref="ValidFrom"/> inclusive until <see cref="ValidUntil"/> exclusive.
/// </summary>
public sealed record CredentialDefinition(Guid Id, Guid PersonId, CredentialKind Kind, string Value)
{
    public Instant? ValidFrom { get; init; }
    public Instant? ValidUntil { get; init; }
    /// <summary>Null = unlimited; the use count so far is a live fact.</summary>
    public int? MaxUses { get; init; }
    public bool Revoked { get; init; }
    /// <summary>
    /// Set for credentials issued by an invite: the credential opens only points of entry, and of
    /// those only the listed doors when the list is non-empty. Null = an ordinary credential.
    /// </summary>
    public InviteConstraints? Invite { get; init; }
}

/// <summary>The points of entry an invite credential may open; empty = every point of entry.</summary>
public sealed record InviteConstraints(IReadOnlyList<Guid> AllowedDoorIds)
{
    public static readonly InviteConstraints AnyPointOfEntry = new([]);
}

/// <summary>Everything the compiler needs: the server maps its rows into this, once per change.</summary>
public sealed record PolicyDefinitions
{
    public IReadOnlyList<SiteDefinition> Sites { get; init; } = [];
    public IReadOnlyList<DoorDefinition> Doors { get; init; } = [];
    public IReadOnlyList<ScopeDefinition> Scopes { get; init; } = [];
    public IReadOnlyList<ZoneDefinition> Zones { get; init; } = [];
    public IReadOnlyList<PersonDefinition> People { get; init; } = [];
    public IReadOnlyList<GrantDefinition> Grants { get; init; } = [];
    public IReadOnlyList<CredentialDefinition> Credentials { get; init; } = [];
    /// <summary>The lockdown and evacuation plans active now.</summary>
    public IReadOnlyList<LockdownDefinition> Lockdowns { get; init; } = [];
    /// <summary>Holiday calendars: shared ones apply to every site, a site's own to it alone.</summary>
    public IReadOnlyList<CalendarDefinition> Calendars { get; init; } = [];
    /// <summary>
    /// Names of the qualifications for the explainer. A qualification required or held without a definition
    /// here still works (a controller's bundle carries ids only); the explainer then names it by its id.
    /// </summary>
    public IReadOnlyList<QualificationDefinition> Qualifications { get; init; } = [];
}
