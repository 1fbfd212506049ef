using Portier.Core.Doors;
using Portier.Core.Calendars;
using Portier.Core.Model;

namespace Portier.Core.Policy;

/// <summary>
/// An immutable, compiled form of <see cref="PolicyDefinitions"/>: ids mapped to dense integers,
/// person types, statuses and tags interned into bit sets, and every door's effective rules and
/// geofence resolved once. Build a new snapshot when configuration changes and swap the reference;
/// decisions read it without locks.
/// </summary>
/// <remarks>
/// Effective rules for a door: the door's override, else a scope override, else the site's rules
/// (each replaces the next wholesale). When several of the door's scopes carry an override, the
/// scope whose id is ordinally smallest in its lowercase "D" string form wins; the geofence is
/// resolved the same way, independently. Grants never depend on overrides.
/// </remarks>
public sealed record PolicySnapshot
{
    internal PolicySnapshot() { }

    /// <summary>Compiles definitions; throws <see cref="PolicyDefinitionException"/> on duplicate ids, dangling references or an unknown time zone.</summary>
    public static PolicySnapshot Compile(PolicyDefinitions definitions) => PolicyCompiler.Compile(definitions);

    /// <summary>
    /// This snapshot with one person, credential, grant or door added, changed or removed, compiled as
    /// <see cref="Compile"/> compiles it; this snapshot is left as it was. Null when the change reaches further
    /// than that entity (see <see cref="PolicyChange"/>): compile the changed definitions in full instead.
    /// Throws <see cref="PolicyDefinitionException"/> where compiling the changed definitions would.
    /// </summary>
    public PolicySnapshot? Apply(PolicyChange change) => PolicyPatcher.Apply(this, change);

    // Snapshots are compared by reference: two compiles of the same definitions are still two snapshots.
    public bool Equals(PolicySnapshot? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    public override string ToString() => $"PolicySnapshot {{ {PersonCount} people, {DoorCount} doors }}";

    public int SiteCount => SiteIds.Length;
    public int DoorCount => DoorIds.Length;
    public int PersonCount => PersonIndex.Count;
    public int GrantCount { get; init; }
    public int CredentialCount => CredentialIndex.Count;

    // Interned values.
    internal int StatusCount { get; init; }
    internal int TagWords { get; init; }

    // Sites.
    internal Guid[] SiteIds { get; init; } = null!;
    internal SiteClock[] SiteClocks { get; init; } = null!;
    /// <summary>Null for a site no calendar entry reaches: its decisions skip the day lookup.</summary>
    internal SiteCalendar?[] SiteCalendars { get; init; } = null!;

    // Doors.
    internal GuidIndex DoorIndex { get; init; } = null!;
    internal Guid[] DoorIds { get; init; } = null!;
    internal int[] DoorSite { get; init; } = null!;
    internal int[] DoorZone { get; init; } = null!;
    internal DoorDirection[] DoorDirections { get; init; } = null!;
    internal bool[] DoorBlocked { get; init; } = null!;
    internal MaintenanceMode[] DoorMaintenance { get; init; } = null!;
    internal DoorOverride?[] DoorOverrides { get; init; } = null!;

    /// <summary>The door's maintenance mode at <paramref name="at"/>, a running timed override included.</summary>
    internal MaintenanceMode MaintenanceAt(int door, NodaTime.Instant at) => DoorOverride.Effective(DoorMaintenance[door], DoorOverrides[door], at);
    internal bool[] DoorPointOfEntry { get; init; } = null!;
    internal int[][] DoorScopes { get; init; } = null!;
    internal CompiledRuleSet[] DoorRules { get; init; } = null!;
    internal CompiledGeofence?[] DoorGeofence { get; init; } = null!;
    /// <summary>False when the door or one of its scopes is exempt from holiday calendars.</summary>
    internal bool[] DoorHolidays { get; init; } = null!;
    /// <summary>The two-person rule's window; null = the door opens for one person.</summary>
    internal NodaTime.Duration?[] DoorTwoPerson { get; init; } = null!;

    // Zones.
    internal int[] ZoneCapacity { get; init; } = null!;
    internal ulong[]?[] ZoneTypes { get; init; } = null!;
    internal ulong[]?[] ZoneTags { get; init; } = null!;
    internal PassbackRule[] ZonePassback { get; init; } = null!;

    // People: what a decision reads in one record per person; ids and rarely read fields apart.
    internal PersonIndex PersonIndex { get; init; } = null!;
    internal Guid[] PersonIds { get; init; } = null!;
    internal PersonPages People { get; init; }
    /// <summary>Tag words beyond the first, (TagWords - 1) per person; empty while 64 tags or fewer are interned.</summary>
    internal ulong[] PersonMoreTags { get; init; } = null!;

    // Grants, each person's in one run (People[p].GrantStart .. People[p].GrantEnd).
    internal Guid[] GrantIds { get; init; } = null!;
    internal CompiledGrant[] Grants { get; init; } = null!;

    // Credentials.
    internal CredentialIndex CredentialIndex { get; init; } = null!;
    internal Guid[] CredentialIds { get; init; } = null!;
    internal CompiledCredential[] Credentials { get; init; } = null!;

    // Active lockdown and evacuation plans; DoorLockdown[d] is the plan governing door d, or -1.
    internal int[] DoorLockdown { get; init; } = null!;
    internal Guid[] LockdownIds { get; init; } = null!;
    internal LockdownKind[] LockdownKinds { get; init; } = null!;
    internal ulong[][] LockdownTypes { get; init; } = null!;
    internal ulong[][] LockdownTags { get; init; } = null!;
    /// <summary>Each plan's listed responders, as sorted person indexes.</summary>
    internal int[][] LockdownPeople { get; init; } = null!;

    // First-to-arrive: DoorArrival[d] is the door's rule (null = not gated), with its group compiled.
    internal FirstArrivalRule?[] DoorArrival { get; init; } = null!;
    internal ulong[]?[] DoorArrivalTypes { get; init; } = null!;
    internal ulong[]?[] DoorArrivalTags { get; init; } = null!;
    internal int[]?[] DoorArrivalPeople { get; init; } = null!;
    /// <summary>Per site, its gated doors (empty for most sites, so a grant elsewhere costs one lookup).</summary>
    internal int[][] SiteGatedDoors { get; init; } = null!;
    // Qualifications: DoorQualifications[d] is the sorted set a door requires; a person's held ones are
    // HeldQualification[PersonQualificationStart[p] .. PersonQualificationStart[p + 1]], sorted, with their windows.
    internal Guid[] QualificationIds { get; init; } = null!;
    internal string[] QualificationNames { get; init; } = null!;
    internal int[][] DoorQualifications { get; init; } = null!;
    internal int[] PersonQualificationStart { get; init; } = null!;
    internal int[] HeldQualification { get; init; } = null!;
    internal long[] HeldQualificationFrom { get; init; } = null!;
    internal long[] HeldQualificationUntil { get; init; } = null!;

    /// <summary>
    /// The first qualification (in the order of <see cref="PolicyDefinitions.Qualifications"/>) the door requires that the person lacks at <paramref name="atTicks"/> (Unix ticks),
    /// or -1 when they hold every one. <paramref name="held"/> is the person's entry for it (-1 = never held or not yet
    /// started: <c>qualification_missing</c>; otherwise it ended at or before the instant: <c>qualification_expired</c>).
    /// </summary>
    internal int LackingQualification(int person, int door, long atTicks, out int held)
    {
        held = -1;
        var required = DoorQualifications[door];
        var start = PersonQualificationStart[person];
        var count = PersonQualificationStart[person + 1] - start;
        foreach (var q in required)
        {
            held = count == 0 ? -1 : Array.BinarySearch(HeldQualification, start, count, q);
            if (held < 0) { held = -1; return q; }
            if (atTicks < HeldQualificationFrom[held]) { held = -1; return q; }
            if (atTicks >= HeldQualificationUntil[held]) return q;
        }
        held = -1;
        return -1;
    }

    /// <summary>
    /// What a person lacks to pass a door's qualification check at <paramref name="at"/>: the first required
    /// qualification they do not hold, or hold expired; null when they hold all (or the door or person is unknown).
    /// </summary>
    public QualificationShortfall? QualificationShortfallAt(Guid doorId, Guid personId, NodaTime.Instant at)
    {
        if (!DoorIndex.TryGetValue(doorId, out var door) || !PersonIndex.TryGetValue(personId, out var person)) return null;
        var q = LackingQualification(person, door, at.ToUnixTimeTicks(), out var held);
        if (q < 0) return null;
        return new QualificationShortfall(QualificationIds[q], QualificationNames[q],
            held < 0 ? null : NodaTime.Instant.FromUnixTimeTicks(HeldQualificationUntil[held]));
    }

    public bool ContainsPerson(Guid personId) => PersonIndex.ContainsKey(personId);

    public bool ContainsDoor(Guid doorId) => DoorIndex.ContainsKey(doorId);

    /// <summary>Whether the snapshot holds the person, and the site they belong to (null: a person valid at every site).</summary>
    public bool TryFindPerson(Guid personId, out Guid? siteId)
    {
        siteId = null;
        if (!PersonIndex.TryGetValue(personId, out var person)) return false;
        if (People[person].Site is var site and >= 0) siteId = SiteIds[site];
        return true;
    }

    /// <summary>
    /// The credential a key presented at the door names, found as the decision finds it (the door's
    /// site first, then credentials valid at every site); null when no credential has that key.
    /// </summary>
    public PresentedCredential? FindCredential(Guid doorId, CredentialKind kind, string key)
    {
        if (!DoorIndex.TryGetValue(doorId, out var door)) return null;
        if (!CredentialIndex.Find(DoorSite[door], kind, key, Credentials, out var c, out _)) return null;
        var credential = Credentials[c];
        return new PresentedCredential(CredentialIds[c], PersonIds[credential.Person], credential.MaxUses < 0 ? null : credential.MaxUses);
    }

    /// <summary>The active plan governing the door (the highest ranked of those covering it); null when none does or the door is unknown.</summary>
    public DoorLockdown? LockdownAt(Guid doorId) =>
        DoorIndex.TryGetValue(doorId, out var door) && DoorLockdown[door] is var plan and >= 0
            ? new DoorLockdown(LockdownIds[plan], LockdownKinds[plan])
            : null;

    /// <summary>Whether the person is one of the plan's responders: by person type, by a tag, or listed by id.</summary>
    internal bool IsResponder(int plan, int person) =>
        Bits.Test(LockdownTypes[plan], People[person].Type)
        || HasAnyTag(LockdownTags[plan], person)
        || Array.BinarySearch(LockdownPeople[plan], person) >= 0;
    /// <summary>The anti-passback of the zone behind the door; off for a door without a zone or unknown.</summary>
    public PassbackRule PassbackAt(Guid doorId) =>
        DoorIndex.TryGetValue(doorId, out var door) && DoorZone[door] is var zone and >= 0 ? ZonePassback[zone] : PassbackRule.Off;
    /// <summary>
    /// The calendar a door follows for its auto-unlock windows: its site's calendar days, or null when no
    /// entry reaches the site, or when the door (or one of its scopes) is exempt from holidays or unknown.
    /// </summary>
    public SiteCalendar? CalendarForDoor(Guid doorId) =>
        DoorIndex.TryGetValue(doorId, out var door) && DoorHolidays[door] ? SiteCalendars[DoorSite[door]] : null;

    /// <summary>The door's two-person window; null when the door has no two-person rule or is unknown.</summary>
    public NodaTime.Duration? TwoPersonWindowAt(Guid doorId) =>
        DoorIndex.TryGetValue(doorId, out var door) ? DoorTwoPerson[door] : null;
    /// <summary>The door's first-to-arrive rule; null when its auto-unlock is not gated or the door is unknown.</summary>
    public FirstArrivalRule? FirstArrivalAt(Guid doorId) => DoorIndex.TryGetValue(doorId, out var door) ? DoorArrival[door] : null;

    /// <summary>The time zone of the door's site, in which its day starts at local midnight; null for an unknown door.</summary>
    public NodaTime.DateTimeZone? ZoneOf(Guid doorId) => DoorIndex.TryGetValue(doorId, out var door) ? SiteClocks[DoorSite[door]].Zone : null;

    /// <summary>
    /// The gated doors whose day a grant of <paramref name="personId"/> at <paramref name="doorId"/> may start: those
    /// whose group the person belongs to, being that door (scope door) or a door of its site (scope site).
    /// Empty when the site has no gated door, or the person or door is unknown.
    /// </summary>
    public IReadOnlyList<Guid> DoorsStartedBy(Guid doorId, Guid personId)
    {
        if (!DoorIndex.TryGetValue(doorId, out var at) || SiteGatedDoors[DoorSite[at]] is not { Length: > 0 } gated
            || !PersonIndex.TryGetValue(personId, out var person)) return [];
        var started = new List<Guid>();
        foreach (var d in gated)
            if ((DoorArrival[d]!.Scope == FirstArrivalScope.Site || d == at) && InArrivalGroup(d, person)) started.Add(DoorIds[d]);
        return started;
    }

    /// <summary>Whether the person belongs to the gated door's group (an unknown door or person: no).</summary>
    public bool StartsDayOf(Guid gatedDoorId, Guid personId) =>
        DoorIndex.TryGetValue(gatedDoorId, out var door) && DoorArrival[door] is not null
        && PersonIndex.TryGetValue(personId, out var person) && InArrivalGroup(door, person);

    /// <summary>Everyone now in the gated door's group who is known at its site; empty for a door that is not gated or unknown.</summary>
    public IReadOnlyList<Guid> ArrivalGroupOf(Guid gatedDoorId)
    {
        if (!DoorIndex.TryGetValue(gatedDoorId, out var door) || DoorArrival[door] is null) return [];
        var members = new List<Guid>();
        for (var p = 0; p < PeopleUsed; p++)
            if (IsLivePerson(p) && KnownAtSite(p, DoorSite[door]) && InArrivalGroup(door, p)) members.Add(PersonIds[p]);
        return members;
    }

    /// <summary>Every person's id, in snapshot order (a patched snapshot's slots that no id maps to any more left out).</summary>
    /// <remarks>
    /// Checked a chunk at a time in a tight loop: at a million people each check misses the cache on the id table,
    /// and back to back those misses overlap instead of each waiting behind the caller's work on the person before;
    /// a caller that then looks the person up by id (a decision) finds their slot in cache.
    /// </remarks>
    internal IEnumerable<Guid> LivePersonIds()
    {
        const int chunk = 256;
        var live = new bool[chunk];
        for (var start = 0; start < PeopleUsed; start += chunk)
        {
            var count = Math.Min(chunk, PeopleUsed - start);
            for (var i = 0; i < count; i++) live[i] = IsLivePerson(start + i);
            for (var i = 0; i < count; i++)
                if (live[i]) yield return PersonIds[start + i];
        }
    }

    private bool InArrivalGroup(int door, int person) =>
        Bits.Test(DoorArrivalTypes[door]!, People[person].Type)
        || HasAnyTag(DoorArrivalTags[door]!, person)
        || Array.BinarySearch(DoorArrivalPeople[door]!, person) >= 0;

    internal bool KnownAtSite(int person, int site) => KnownAtSite(People[person], site);

    internal static bool KnownAtSite(in CompiledPerson person, int site) => person.Site is var own && (own < 0 || own == site);

    /// <summary>Whether the person carries a tag of <paramref name="set"/> (a bit set over the interned tags).</summary>
    internal bool HasAnyTag(ulong[] set, int person) => HasAnyTag(set, person, People[person]);

    /// <summary><see cref="HasAnyTag(ulong[], int)"/> with the person's record already at hand (<paramref name="who"/> is <paramref name="person"/>'s).</summary>
    internal bool HasAnyTag(ulong[] set, int person, in CompiledPerson who)
    {
        if (set.Length == 0) return false;
        if ((set[0] & who.Tags) != 0) return true;
        var more = TagWords - 1;
        for (var i = 1; i < set.Length && i <= more; i++)
        {
            if ((set[i] & PersonMoreTags[person * more + i - 1]) != 0) return true;
        }
        return false;
    }

    // Patching (see PolicyPatcher): the arrays of people, grants and credentials may hold slots past those used, and
    // slots no id maps to any more (a removed person, a credential or a person's grants moved elsewhere).
    internal PatchBase Patching { get; init; } = null!;
    internal int PeopleUsed { get; init; }
    internal int GrantsUsed { get; init; }
    internal int CredentialsUsed { get; init; }
    internal Slots PeopleSlots { get; init; } = null!;
    internal Slots GrantSlots { get; init; } = null!;
    internal Slots CredentialSlots { get; init; } = null!;
    /// <summary>Grants and credentials by id, each grant's person and each credential's key: built by the first patch, never by a compile.</summary>
    internal GuidIndex? GrantById { get; init; }
    internal GuidIndex? CredentialById { get; init; }
    internal int[]? GrantPerson { get; init; }
    internal CredentialKey[]? CredentialKeys { get; init; }

    internal bool IsLivePerson(int slot) => PersonIndex.TryGetValue(PersonIds[slot], out var live) && live == slot;
}

/// <summary>The definitions cannot be compiled: a duplicate id, a reference to something missing, or an unknown time zone.</summary>
public sealed class PolicyDefinitionException : Exception
{
    public PolicyDefinitionException() { }
    public PolicyDefinitionException(string message) : base(message) { }
    public PolicyDefinitionException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A qualification a door requires that a person lacks: never held (<see cref="ExpiredAt"/> null) or expired at <see cref="ExpiredAt"/>.</summary>
public sealed record QualificationShortfall(Guid QualificationId, string Name, NodaTime.Instant? ExpiredAt)
{
    public bool Expired => ExpiredAt.HasValue;
}

/// <summary>A credential found by its key: whose it is, and its use limit (null = unlimited).</summary>
public sealed record PresentedCredential(Guid Id, Guid PersonId, int? MaxUses);
