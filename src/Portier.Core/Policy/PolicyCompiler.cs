using NodaTime;
using Portier.Core.Doors;
using Portier.Core.Calendars;
using Portier.Core.Model;
using Portier.Core.Schedules;

namespace Portier.Core.Policy;

/// <summary>Turns definitions into a <see cref="PolicySnapshot"/>. Allocation happens here, never in decisions.</summary>
internal sealed partial class PolicyCompiler
{
    private readonly PolicyDefinitions _defs;
    private readonly Dictionary<string, int> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _tags = new(StringComparer.Ordinal);
    private readonly Dictionary<WeeklyHours, CompiledHours> _hours = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<RuleSet, CompiledRuleSet> _ruleSets = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<GeofenceDefinition, CompiledGeofence?> _geofences = new(ReferenceEqualityComparer.Instance);
    private Dictionary<Guid, int> _siteIndex = [];
    private Dictionary<Guid, int> _scopeIndex = [];
    private Dictionary<Guid, int> _zoneIndex = [];
    private Dictionary<Guid, int> _doorIndex = [];

    private static readonly Duration MinHoldTime = Duration.FromSeconds(1);
    private static readonly Duration MaxHoldTime = Duration.FromSeconds(30);

    private PolicyCompiler(PolicyDefinitions definitions) => _defs = definitions;

    public static PolicySnapshot Compile(PolicyDefinitions definitions) => new PolicyCompiler(definitions).Run();

    private PolicySnapshot Run()
    {
        InternValues();
        _siteIndex = IndexOf(_defs.Sites, s => s.Id, "site");
        _scopeIndex = IndexOf(_defs.Scopes, s => s.Id, "scope");
        _zoneIndex = IndexOf(_defs.Zones, z => z.Id, "zone");
        _doorIndex = IndexOf(_defs.Doors, d => d.Id, "door");
        var personIndex = IndexOf(_defs.People, p => p.Id, "person");
        var tagWords = Bits.Words(_tags.Count);

        var clocks = new SiteClock[_defs.Sites.Count];
        for (var i = 0; i < clocks.Length; i++)
            clocks[i] = new SiteClock(ResolveZone(_defs.Sites[i]));
        foreach (var scope in _defs.Scopes) Resolve(_siteIndex, scope.SiteId, "site", scope.Id);

        var (zoneCapacity, zoneTypes, zoneTags) = CompileZones();

        var doorCount = _defs.Doors.Count;
        var doorSite = new int[doorCount];
        var doorZone = new int[doorCount];
        var doorScopes = new int[doorCount][];
        var doorRules = new CompiledRuleSet[doorCount];
        var doorGeofence = new CompiledGeofence?[doorCount];
        var doorHolidays = new bool[doorCount];
        for (var d = 0; d < doorCount; d++)
        {
            var door = _defs.Doors[d];
            if (door.HoldTime < MinHoldTime || door.HoldTime > MaxHoldTime)
                throw new PolicyDefinitionException($"Door {door.Id} has hold time {door.HoldTime}; it must be 1–30 seconds.");
            if (door.TwoPersonWindow is { } window && (window < Duration.FromSeconds(Decisions.TwoPersonRule.MinWindowSeconds) || window > Duration.FromSeconds(Decisions.TwoPersonRule.MaxWindowSeconds)))
                throw new PolicyDefinitionException($"Door {door.Id} has a two-person window of {window}; it must be {Decisions.TwoPersonRule.MinWindowSeconds}–{Decisions.TwoPersonRule.MaxWindowSeconds} seconds.");
            doorSite[d] = Resolve(_siteIndex, door.SiteId, "site", door.Id);
            doorZone[d] = door.ZoneId is { } zoneId ? Resolve(_zoneIndex, zoneId, "zone", door.Id) : -1;
            doorScopes[d] = ResolveAll(_scopeIndex, door.ScopeIds, "scope", door.Id);
            var site = _defs.Sites[doorSite[d]];
            var ruleScope = FirstScopeWith(doorScopes[d], s => s.RuleOverride is not null);
            var geofenceScope = FirstScopeWith(doorScopes[d], s => s.GeofenceOverride is not null);
            doorRules[d] = CompileRules(door.RuleOverride ?? ruleScope?.RuleOverride ?? site.Rules);
            doorGeofence[d] = CompileGeofence(door.GeofenceOverride ?? geofenceScope?.GeofenceOverride ?? site.Geofence);
            doorHolidays[d] = door.HolidaysApply && doorScopes[d].All(s => _defs.Scopes[s].HolidaysApply);
        }

        var people = _defs.People;
        var personType = new int[people.Count];
        var personPair = new int[people.Count];
        var personTags = new ulong[people.Count * tagWords];
        var personSite = new int[people.Count];
        for (var p = 0; p < people.Count; p++)
        {
            var person = people[p];
            personSite[p] = person.SiteId is { } siteId ? Resolve(_siteIndex, siteId, "site", person.Id) : -1;
            personType[p] = _types[person.PersonType];
            personPair[p] = personType[p] * _statuses.Count + _statuses[person.MembershipStatus];
            foreach (var tag in person.SyncedTags) Bits.Set(personTags, p * tagWords, _tags[tag]);
            foreach (var tag in person.CustomTags) Bits.Set(personTags, p * tagWords, _tags[tag]);
        }

        var grants = CompileGrants(personIndex);
        var credentials = CompileCredentials(personIndex, personSite);
        var lockdowns = CompileLockdowns(personIndex, doorSite, doorScopes);
        var arrivals = CompileFirstArrivals(personIndex, doorSite);
        var qualifications = CompileQualifications(doorScopes);

        return new PolicySnapshot
        {
            StatusCount = _statuses.Count,
            TagWords = tagWords,
            SiteIds = [.. _defs.Sites.Select(s => s.Id)],
            SiteClocks = clocks,
            SiteCalendars = CompileCalendars(),
            DoorIndex = _doorIndex,
            DoorIds = [.. _defs.Doors.Select(d => d.Id)],
            DoorSite = doorSite,
            DoorZone = doorZone,
            DoorDirections = [.. _defs.Doors.Select(d => d.Direction)],
            DoorBlocked = [.. _defs.Doors.Select(d => d.BlockAllAccess)],
            DoorMaintenance = [.. _defs.Doors.Select(d => d.Maintenance)],
            DoorOverrides = [.. _defs.Doors.Select(d => d.Override)],
            DoorPointOfEntry = [.. _defs.Doors.Select(d => d.IsPointOfEntry)],
            DoorScopes = doorScopes,
            DoorRules = doorRules,
            DoorGeofence = doorGeofence,
            DoorHolidays = doorHolidays,
            DoorTwoPerson = [.. _defs.Doors.Select(d => d.TwoPersonWindow)],
            ZoneCapacity = zoneCapacity,
            ZoneTypes = zoneTypes,
            ZoneTags = zoneTags,
            ZonePassback = [.. _defs.Zones.Select(z => z.Passback)],
            PersonIndex = personIndex,
            PersonIds = [.. people.Select(p => p.Id)],
            PersonType = personType,
            PersonTypeStatus = personPair,
            PersonTags = personTags,
            PersonSite = personSite,
            PersonEnabled = [.. people.Select(p => p.AccessEnabled)],
            PersonBlocklisted = [.. people.Select(p => p.Blocklisted)],
            PersonGrantStart = grants.Start,
            GrantIds = grants.Ids,
            GrantSite = grants.Site,
            GrantSiteWide = grants.SiteWide,
            GrantDoors = grants.Doors,
            GrantScopes = grants.Scopes,
            GrantHours = grants.Hours,
            GrantFrom = grants.From,
            GrantUntil = grants.Until,
            GrantTemporary = grants.Temporary,
            GrantHolidays = grants.Holidays,
            CredentialIndex = credentials.Index,
            CredentialIds = credentials.Ids,
            CredentialPerson = credentials.Person,
            CredentialFrom = credentials.From,
            CredentialUntil = credentials.Until,
            CredentialMaxUses = credentials.MaxUses,
            CredentialRevoked = credentials.Revoked,
            CredentialInviteDoors = credentials.InviteDoors,
            DoorLockdown = lockdowns.DoorPlan,
            LockdownIds = lockdowns.Ids,
            LockdownKinds = lockdowns.Kinds,
            LockdownTypes = lockdowns.Types,
            LockdownTags = lockdowns.Tags,
            LockdownPeople = lockdowns.People,
            DoorArrival = arrivals.Rules,
            DoorArrivalTypes = arrivals.Types,
            DoorArrivalTags = arrivals.Tags,
            DoorArrivalPeople = arrivals.People,
            SiteGatedDoors = arrivals.SiteDoors,
            QualificationIds = qualifications.Ids,
            QualificationNames = qualifications.Names,
            DoorQualifications = qualifications.DoorRequired,
            PersonQualificationStart = qualifications.PersonStart,
            HeldQualification = qualifications.Held,
            HeldQualificationFrom = qualifications.HeldFrom,
            HeldQualificationUntil = qualifications.HeldUntil,
        };
    }

    private void InternValues()
    {
        foreach (var rules in AllRuleSets())
        {
            foreach (var rule in rules.PersonTypeRules)
            {
                Intern(_types, rule.PersonType);
                foreach (var status in rule.Statuses) Intern(_statuses, status);
            }
            foreach (var tag in rules.AllowedTags) Intern(_tags, tag);
        }
        foreach (var zone in _defs.Zones)
        {
            foreach (var type in zone.RequiredPersonTypes) Intern(_types, type);
            foreach (var tag in zone.RequiredTags) Intern(_tags, tag);
        }
        foreach (var person in _defs.People)
        {
            Intern(_types, person.PersonType);
            Intern(_statuses, person.MembershipStatus);
            foreach (var tag in person.SyncedTags) Intern(_tags, tag);
            foreach (var tag in person.CustomTags) Intern(_tags, tag);
        }
        foreach (var rule in _defs.Doors.Select(d => d.FirstArrival).OfType<FirstArrivalRule>())
        {
            foreach (var type in rule.PersonTypes) Intern(_types, type);
            foreach (var tag in rule.Tags) Intern(_tags, tag);
        }
        foreach (var plan in _defs.Lockdowns)
        {
            foreach (var type in plan.ResponderPersonTypes) Intern(_types, type);
            foreach (var tag in plan.ResponderTags) Intern(_tags, tag);
        }
    }

    private IEnumerable<RuleSet> AllRuleSets()
    {
        foreach (var site in _defs.Sites) yield return site.Rules;
        foreach (var scope in _defs.Scopes)
            if (scope.RuleOverride is not null) yield return scope.RuleOverride;
        foreach (var door in _defs.Doors)
            if (door.RuleOverride is not null) yield return door.RuleOverride;
    }

    private static void Intern(Dictionary<string, int> table, string value) => table.TryAdd(value, table.Count);

    private static DateTimeZone ResolveZone(SiteDefinition site)
    {
        try
        {
            return SiteTimeZones.Resolve(site.TimeZoneId);
        }
        catch (UnknownTimeZoneException e)
        {
            throw new PolicyDefinitionException($"Site {site.Id} has unknown time zone '{site.TimeZoneId}'.", e);
        }
    }

    private ScopeDefinition? FirstScopeWith(int[] scopes, Func<ScopeDefinition, bool> hasOverride)
    {
        ScopeDefinition? chosen = null;
        foreach (var index in scopes)
        {
            var scope = _defs.Scopes[index];
            if (hasOverride(scope) && (chosen is null || string.CompareOrdinal(scope.Id.ToString("D"), chosen.Id.ToString("D")) < 0))
                chosen = scope;
        }
        return chosen;
    }

    private CompiledHours CompileHours(WeeklyHours hours)
    {
        if (!_hours.TryGetValue(hours, out var compiled))
        {
            compiled = CompiledHours.From(hours);
            _hours.Add(hours, compiled);
        }
        return compiled;
    }

    private CompiledRuleSet CompileRules(RuleSet rules)
    {
        if (_ruleSets.TryGetValue(rules, out var compiled)) return compiled;
        var statusCount = _statuses.Count;
        var pairs = new ulong[Bits.Words(_types.Count * statusCount)];
        foreach (var rule in rules.PersonTypeRules)
        {
            var type = _types[rule.PersonType];
            if (rule.Statuses.Count == 0)
            {
                for (var s = 0; s < statusCount; s++) Bits.Set(pairs, 0, type * statusCount + s);
            }
            else
            {
                foreach (var status in rule.Statuses) Bits.Set(pairs, 0, type * statusCount + _statuses[status]);
            }
        }
        compiled = new CompiledRuleSet(CompileHours(rules.Hours), pairs, TagSet(rules.AllowedTags), rules.HolidaysApply);
        _ruleSets.Add(rules, compiled);
        return compiled;
    }

    private ulong[] TagSet(IReadOnlyList<string> tags)
    {
        var set = new ulong[Bits.Words(_tags.Count)];
        foreach (var tag in tags) Bits.Set(set, 0, _tags[tag]);
        return set;
    }

    private CompiledGeofence? CompileGeofence(GeofenceDefinition? geofence)
    {
        if (geofence is null || !geofence.Enabled) return null;
        if (!(geofence.RadiusMeters >= 0 && geofence.RequiredAccuracyMeters >= 0 && geofence.BufferMeters >= 0)
            || Math.Abs(geofence.CentreLatitude) > 90 || Math.Abs(geofence.CentreLongitude) > 180)
            throw new PolicyDefinitionException($"Geofence {geofence} has a centre off the globe or a negative distance.");
        if (!_geofences.TryGetValue(geofence, out var compiled))
        {
            compiled = new CompiledGeofence(geofence.CentreLatitude, geofence.CentreLongitude,
                geofence.RadiusMeters, geofence.RequiredAccuracyMeters, geofence.BufferMeters);
            _geofences.Add(geofence, compiled);
        }
        return compiled;
    }

    private (int[] Capacity, ulong[]?[] Types, ulong[]?[] Tags) CompileZones()
    {
        var zones = _defs.Zones;
        var capacity = new int[zones.Count];
        var types = new ulong[]?[zones.Count];
        var tags = new ulong[]?[zones.Count];
        for (var z = 0; z < zones.Count; z++)
        {
            var zone = zones[z];
            Resolve(_siteIndex, zone.SiteId, "site", zone.Id);
            if (zone.Capacity < 0) throw new PolicyDefinitionException($"Zone {zone.Id} has a negative capacity.");
            capacity[z] = zone.Capacity ?? -1;
            if (zone.RequiredPersonTypes.Count == 0 && zone.RequiredTags.Count == 0) continue;
            var typeSet = new ulong[Bits.Words(_types.Count)];
            foreach (var type in zone.RequiredPersonTypes) Bits.Set(typeSet, 0, _types[type]);
            types[z] = typeSet;
            tags[z] = TagSet(zone.RequiredTags);
        }
        return (capacity, types, tags);
    }

    private sealed record GrantArrays(
        int[] Start, Guid[] Ids, int[] Site, bool[] SiteWide, int[][] Doors, int[][] Scopes,
        CompiledHours[] Hours, long[] From, long[] Until, bool[] Temporary, bool[] Holidays);

    private GrantArrays CompileGrants(Dictionary<Guid, int> personIndex)
    {
        var defs = _defs.Grants;
        var owner = new int[defs.Count];
        var start = new int[personIndex.Count + 1];
        for (var g = 0; g < defs.Count; g++)
        {
            owner[g] = Resolve(personIndex, defs[g].PersonId, "person", defs[g].Id);
            start[owner[g] + 1]++;
        }
        for (var p = 0; p < personIndex.Count; p++) start[p + 1] += start[p];

        var next = (int[])start.Clone();
        var order = new int[defs.Count];
        for (var g = 0; g < defs.Count; g++) order[next[owner[g]]++] = g;

        var result = new GrantArrays(start, new Guid[defs.Count], new int[defs.Count], new bool[defs.Count],
            new int[defs.Count][], new int[defs.Count][], new CompiledHours[defs.Count],
            new long[defs.Count], new long[defs.Count], new bool[defs.Count], new bool[defs.Count]);
        for (var i = 0; i < order.Length; i++)
        {
            var grant = defs[order[i]];
            result.Ids[i] = grant.Id;
            result.Site[i] = Resolve(_siteIndex, grant.SiteId, "site", grant.Id);
            result.SiteWide[i] = grant.SiteWide;
            result.Doors[i] = ResolveAll(_doorIndex, grant.DoorIds, "door", grant.Id);
            result.Scopes[i] = ResolveAll(_scopeIndex, grant.ScopeIds, "scope", grant.Id);
            result.Hours[i] = grant.Hours is null ? CompiledHours.Always : CompileHours(grant.Hours);
            result.From[i] = TicksOrMin(grant.ValidFrom);
            result.Until[i] = TicksOrMax(grant.ValidUntil);
            result.Temporary[i] = grant.IsTemporary;
            result.Holidays[i] = grant.HolidaysApply;
        }
        return result;
    }

    private sealed record CredentialArrays(
        Dictionary<CredentialKey, int> Index, Guid[] Ids, int[] Person, long[] From, long[] Until,
        int[] MaxUses, bool[] Revoked, int[]?[] InviteDoors);

    private CredentialArrays CompileCredentials(Dictionary<Guid, int> personIndex, int[] personSite)
    {
        var defs = _defs.Credentials;
        var result = new CredentialArrays(new Dictionary<CredentialKey, int>(defs.Count), new Guid[defs.Count], new int[defs.Count],
            new long[defs.Count], new long[defs.Count], new int[defs.Count], new bool[defs.Count], new int[]?[defs.Count]);
        for (var c = 0; c < defs.Count; c++)
        {
            var credential = defs[c];
            var owner = Resolve(personIndex, credential.PersonId, "person", credential.Id);
            if (!result.Index.TryAdd(new CredentialKey(personSite[owner], credential.Kind, credential.Value), c))
                throw new PolicyDefinitionException($"Credential {credential.Id} duplicates the value of another {credential.Kind} credential at its site.");
            result.Ids[c] = credential.Id;
            result.Person[c] = owner;
            result.From[c] = TicksOrMin(credential.ValidFrom);
            result.Until[c] = TicksOrMax(credential.ValidUntil);
            if (credential.MaxUses < 0) throw new PolicyDefinitionException($"Credential {credential.Id} has negative max uses.");
            result.MaxUses[c] = credential.MaxUses ?? -1;
            result.Revoked[c] = credential.Revoked;
            result.InviteDoors[c] = credential.Invite is null
                ? null
                : ResolveAll(_doorIndex, credential.Invite.AllowedDoorIds, "door", credential.Id);
        }
        return result;
    }

    /// <summary>
    /// Each site's calendar days: the shared calendars' entries plus its own. Sites without calendars of
    /// their own share one compiled calendar; null for a site no entry reaches.
    /// </summary>
    private SiteCalendar?[] CompileCalendars()
    {
        var result = new SiteCalendar?[_defs.Sites.Count];
        if (_defs.Calendars.Count == 0) return result;
        foreach (var calendar in _defs.Calendars)
            if (calendar.SiteId is { } siteId) Resolve(_siteIndex, siteId, "site", calendar.Id);
        var shared = _defs.Calendars.Where(c => c.SiteId is null).SelectMany(c => c.Entries).ToList();
        var own = _defs.Calendars.Where(c => c.SiteId is not null).ToLookup(c => c.SiteId!.Value, c => c.Entries);
        var sharedOnly = Calendar(shared);
        for (var i = 0; i < result.Length; i++)
        {
            var siteId = _defs.Sites[i].Id;
            result[i] = own.Contains(siteId) ? Calendar([.. shared, .. own[siteId].SelectMany(e => e)]) : sharedOnly;
        }
        return result;

        static SiteCalendar? Calendar(List<CalendarEntryDefinition> entries)
        {
            try
            {
                return SiteCalendar.From(entries);
            }
            catch (ArgumentException e)
            {
                throw new PolicyDefinitionException(e.Message, e);
            }
        }
    }

    private static long TicksOrMin(Instant? instant) => instant?.ToUnixTimeTicks() ?? long.MinValue;

    private static long TicksOrMax(Instant? instant) => instant?.ToUnixTimeTicks() ?? long.MaxValue;

    private static Dictionary<Guid, int> IndexOf<T>(IReadOnlyList<T> items, Func<T, Guid> id, string what)
    {
        var index = new Dictionary<Guid, int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (!index.TryAdd(id(items[i]), i))
                throw new PolicyDefinitionException($"Duplicate {what} id {id(items[i])}.");
        }
        return index;
    }

    private static int Resolve(Dictionary<Guid, int> index, Guid id, string what, Guid referencedBy) =>
        index.TryGetValue(id, out var i)
            ? i
            : throw new PolicyDefinitionException($"{referencedBy} refers to unknown {what} {id}.");

    /// <summary>Resolves ids to sorted, distinct indexes.</summary>
    private static int[] ResolveAll(Dictionary<Guid, int> index, IReadOnlyList<Guid> ids, string what, Guid referencedBy)
    {
        if (ids.Count == 0) return [];
        var result = new int[ids.Count];
        for (var i = 0; i < result.Length; i++) result[i] = Resolve(index, ids[i], what, referencedBy);
        Array.Sort(result);
        var distinct = 1;
        for (var i = 1; i < result.Length; i++)
            if (result[i] != result[distinct - 1]) result[distinct++] = result[i];
        return distinct == result.Length ? result : result[..distinct];
    }
}
