using System.Text.Json.Serialization;

namespace Portier.Core.Bundles;

/// <summary>
/// What a controller needs to decide on its own for its doors: the wire form of device protocol
/// version 2's bundle (docs/device-protocol.md). One shape serves both kinds: a full bundle
/// (<see cref="BaseVersion"/> null) replaces everything the controller holds; a delta
/// (<see cref="BaseVersion"/> set) applies only to exactly that version and carries the records
/// that changed plus the ids of those removed. Lists left null in a delta are unchanged.
/// </summary>
public sealed record BundleBody
{
    public required Guid SiteId { get; init; }
    public required Guid DeviceId { get; init; }
    /// <summary>Grows by one with every change that affects this controller; never reused.</summary>
    public required long Version { get; init; }
    /// <summary>Null for a full bundle; for a delta, the only version it may be applied to.</summary>
    public long? BaseVersion { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>The site's rules, time zone and revocation horizon; always present in a full bundle.</summary>
    public BundleSite? Site { get; init; }
    public IReadOnlyList<BundleDoor>? Doors { get; init; }
    public IReadOnlyList<BundleScope>? Scopes { get; init; }
    public IReadOnlyList<BundleZone>? Zones { get; init; }
    public IReadOnlyList<BundlePerson>? People { get; init; }
    public IReadOnlyList<BundleGrant>? Grants { get; init; }
    public IReadOnlyList<BundleCredential>? Credentials { get; init; }
    /// <summary>The lockdown and evacuation plans active now that reach one of this controller's doors.</summary>
    public IReadOnlyList<BundleLockdown>? Lockdowns { get; init; }

    public IReadOnlyList<Guid>? RemovedDoors { get; init; }
    public IReadOnlyList<Guid>? RemovedScopes { get; init; }
    public IReadOnlyList<Guid>? RemovedZones { get; init; }
    public IReadOnlyList<Guid>? RemovedPeople { get; init; }
    public IReadOnlyList<Guid>? RemovedGrants { get; init; }
    public IReadOnlyList<Guid>? RemovedCredentials { get; init; }
    /// <summary>Plans that ended (or no longer reach this controller's doors).</summary>
    public IReadOnlyList<Guid>? RemovedLockdowns { get; init; }

    [JsonIgnore]
    public bool IsDelta => BaseVersion.HasValue;
}

/// <summary>
/// The site as the controller needs it. <see cref="OfflineHorizonMinutes"/>: how long the controller
/// may keep deciding after it last heard from the server; past it every credential is refused and
/// the door does what its <see cref="BundleDoor.FailMode"/> says.
/// </summary>
public sealed record BundleSite(Guid Id, string TimeZone, BundleRules Rules, int OfflineHorizonMinutes)
{
    /// <summary>The entries of every holiday calendar reaching the site (the shared ones and its own), one-off and yearly alike; null = none.</summary>
    public IReadOnlyList<BundleCalendarEntry>? Calendar { get; init; }
}

/// <summary>
/// A rule set: a person passes when a person-type rule or an allowed tag matches, within
/// <see cref="Hours"/> (empty = always).
/// </summary>
public sealed record BundleRules(IReadOnlyList<BundlePersonTypeRule> PersonTypes, IReadOnlyList<string> Tags, IReadOnlyList<BundleBlock> Hours)
{
    /// <summary>Whether the site's calendar days close or re-time this rule path: false exempts it; absent = they do.</summary>
    public bool? HolidaysApply { get; init; }
}

/// <summary>A person type and the statuses it admits (empty = any status).</summary>
public sealed record BundlePersonTypeRule(string Type, IReadOnlyList<string> Statuses);

/// <summary>
/// One weekly window in the site's local time: <see cref="Day"/> 1 = Monday … 7 = Sunday (ISO),
/// <see cref="Start"/> inclusive and <see cref="End"/> exclusive as "HH:mm", "24:00" = end of day.
/// </summary>
public sealed record BundleBlock(int Day, string Start, string End);

/// <summary>
/// A door this controller serves, with everything its decisions and its failure behaviour need.
/// <see cref="Direction"/> and a reader's direction use the server's words: in, out, both / entry, exit.
/// </summary>
public sealed record BundleDoor
{
    public required Guid Id { get; init; }
    public Guid? ZoneId { get; init; }
    public required string Direction { get; init; }
    public required int HoldSeconds { get; init; }
    public bool BlockAllAccess { get; init; }
    /// <summary>normal, force_open or force_closed.</summary>
    public required string Maintenance { get; init; }
    /// <summary>A timed override the controller applies until its end, then reverts to <see cref="Maintenance"/> by itself.</summary>
    public BundleOverride? Override { get; init; }
    public BundleRules? RuleOverride { get; init; }
    public IReadOnlyList<Guid> ScopeIds { get; init; } = [];
    public bool PointOfEntry { get; init; }
    /// <summary>secure (stays locked without power or past the horizon) or safe (released).</summary>
    public required string FailMode { get; init; }
    /// <summary>What the controller does offline with facts only the server knows: see <see cref="OfflineLiveFacts"/>.</summary>
    public required string OfflineLiveFacts { get; init; }
    public IReadOnlyList<BundleReader> Readers { get; init; } = [];
    /// <summary>False exempts the door from holiday calendars; absent = they apply.</summary>
    public bool? HolidaysApply { get; init; }
    /// <summary>
    /// The two-person rule's window in seconds (absent = off): the controller deciding alone applies it with the
    /// person it saw waiting at the door itself (<see cref="LocalCounts.Waiting"/>).
    /// </summary>
    public int? TwoPersonSeconds { get; init; }
    /// <summary>Ids of the qualifications the door itself requires (its scopes' come with the scopes); absent = none.</summary>
    public IReadOnlyList<Guid>? RequiredQualifications { get; init; }
}

/// <summary>A timed override: <see cref="Mode"/> is unlock, force_open or force_closed, in force until <see cref="Until"/> (exclusive).</summary>
public sealed record BundleOverride(string Mode, DateTimeOffset Until);

/// <summary>A reader of the controller at this door: its id as the controller names it, its kind and direction.</summary>
public sealed record BundleReader(string Id, string Kind, string Direction);

public sealed record BundleScope(Guid Id, BundleRules? RuleOverride = null)
{
    /// <summary>False exempts the scope's doors from holiday calendars; absent = they apply.</summary>
    public bool? HolidaysApply { get; init; }
    /// <summary>Ids of the qualifications every door of the scope requires; absent = none.</summary>
    public IReadOnlyList<Guid>? RequiredQualifications { get; init; }
}

/// <summary>
/// A zone a door leads into: its capacity (null = unlimited), the ticket types it admits (both empty = anyone)
/// and its anti-passback (<c>hard</c>, <c>soft</c> or <c>timed</c> with <see cref="PassbackMinutes"/>; null = off),
/// which a controller deciding alone applies with the presence it saw itself.
/// </summary>
public sealed record BundleZone(Guid Id, IReadOnlyList<string> PersonTypes, IReadOnlyList<string> Tags, int? Capacity = null,
    string? Passback = null, int? PassbackMinutes = null);

/// <summary>A person known at the site: type, status, tags (synced and custom alike), kill switch and blocklist.</summary>
public sealed record BundlePerson(Guid Id, string Type, string Status, IReadOnlyList<string> Tags, bool AccessEnabled, bool Blocklisted)
{
    /// <summary>The qualifications the person holds, with their windows, so a controller refuses an expired one at its end; absent = none.</summary>
    public IReadOnlyList<BundleQualification>? Qualifications { get; init; }
}

/// <summary>A held qualification: valid from <see cref="From"/> (inclusive, null = always) until <see cref="Until"/> (exclusive, null = does not expire).</summary>
public sealed record BundleQualification(Guid Id, DateTimeOffset? From = null, DateTimeOffset? Until = null);

/// <summary>
/// Explicit access: the whole site, listed doors or listed scopes; <see cref="Hours"/> null = any
/// time; a validity window (from inclusive, until exclusive) makes it temporary.
/// </summary>
public sealed record BundleGrant
{
    public required Guid Id { get; init; }
    public required Guid PersonId { get; init; }
    public bool SiteWide { get; init; }
    public IReadOnlyList<Guid> DoorIds { get; init; } = [];
    public IReadOnlyList<Guid> ScopeIds { get; init; } = [];
    public IReadOnlyList<BundleBlock>? Hours { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
    /// <summary>False exempts the grant from holiday calendars; absent = they apply.</summary>
    public bool? HolidaysApply { get; init; }
}

/// <summary>
/// A credential, never in clear: <see cref="Hash"/> is <see cref="CredentialHashing.Hash"/> of what
/// the reader reads, under the site's credential key. <see cref="RemainingUses"/> null = unlimited.
/// <see cref="InviteDoorIds"/> set (possibly empty) marks an invite credential: points of entry only,
/// and of those only the listed doors when the list is non-empty.
/// </summary>
public sealed record BundleCredential
{
    public required Guid Id { get; init; }
    public required Guid PersonId { get; init; }
    /// <summary>card or barcode: the kinds a controller can check without the server.</summary>
    public required string Kind { get; init; }
    public required string Hash { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
    public int? RemainingUses { get; init; }
    public bool Revoked { get; init; }
    public IReadOnlyList<Guid>? InviteDoorIds { get; init; }
}

/// <summary>
/// An active lockdown or evacuation plan (<see cref="Kind"/>: lockdown or evacuation), limited to this
/// controller's doors and scopes. The highest <see cref="Rank"/> governs a door several plans cover.
/// Responders pass a lockdown by person type, by tag, or by being listed; an exit passage is never refused.
/// </summary>
public sealed record BundleLockdown
{
    public required Guid Id { get; init; }
    public required string Kind { get; init; }
    public int Rank { get; init; }
    public bool SiteWide { get; init; }
    public IReadOnlyList<Guid> ScopeIds { get; init; } = [];
    public IReadOnlyList<Guid> DoorIds { get; init; } = [];
    public IReadOnlyList<string> ResponderTypes { get; init; } = [];
    public IReadOnlyList<string> ResponderTags { get; init; } = [];
    public IReadOnlyList<Guid> ResponderPeople { get; init; } = [];
}
