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
    private readonly Dictionary<string, int> _types;
    private readonly Dictionary<string, int> _statuses;
    private readonly Dictionary<string, int> _tags;
    private readonly Dictionary<WeeklyHours, CompiledHours> _hours = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<RuleSet, CompiledRuleSet> _ruleSets = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<GeofenceDefinition, CompiledGeofence?> _geofences = new(ReferenceEqualityComparer.Instance);
    private GuidIndex _siteIndex = new(0);
    private GuidIndex _scopeIndex = new(0);
    private GuidIndex _zoneIndex = new(0);
    private GuidIndex _doorIndex = new(0);

    private static readonly Duration MinHoldTime = Duration.FromSeconds(1);
    private static readonly Duration MaxHoldTime = Duration.FromSeconds(30);

    private PolicyCompiler(PolicyDefinitions definitions)
    {
        _defs = definitions;
        _types = new(StringComparer.Ordinal);
        _statuses = new(StringComparer.Ordinal);
        _tags = new(StringComparer.Ordinal);
    }

    /// <summary>A compiler for single entities against a compiled snapshot: its interned values and indexes, never widened.</summary>
    internal PolicyCompiler(PatchBase patchBase, GuidIndex doorIndex)
    {
        _defs = patchBase.Wide;
        _types = patchBase.Types;
        _statuses = patchBase.Statuses;
        _tags = patchBase.Tags;
        _siteIndex = patchBase.SiteIndex;
        _scopeIndex = patchBase.ScopeIndex;
        _zoneIndex = patchBase.ZoneIndex;
        _doorIndex = doorIndex;
    }

    public static PolicySnapshot Compile(PolicyDefinitions definitions) => new PolicyCompiler(definitions).Run();

    private PolicySnapshot Run()
    {
        InternValues();
        _siteIndex = IndexOf(_defs.Sites, s => s.Id, "site");
        _scopeIndex = IndexOf(_defs.Scopes, s => s.Id, "scope");
        _zoneIndex = IndexOf(_defs.Zones, z => z.Id, "zone");
        _doorIndex = IndexOf(_defs.Doors, d => d.Id, "door");
        var personIndex = IndexOf(_defs.People, p => p.Id, "person");
        // At least one word, so a person's first 64 tags always live in their record.
        var tagWords = Math.Max(1, Bits.Words(_tags.Count));

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
            (doorSite[d], doorZone[d], doorScopes[d], doorRules[d], doorGeofence[d], doorHolidays[d]) = CompileDoor(_defs.Doors[d]);

        var people = _defs.People;
        var compiledPeople = new PersonPages(people.Count);
        var moreTags = new ulong[people.Count * (tagWords - 1)];
        for (var p = 0; p < people.Count; p++)
            compiledPeople[p] = CompilePerson(people[p], moreTags.AsSpan(p * (tagWords - 1), tagWords - 1));

        var personIds = people.Select(p => p.Id).ToArray();
        // Credentials and grants are independent once the people are: compiled side by side. The credentials read each
        // record's site, the grants write each record's range, and nothing else is shared but read-only indexes.
        var compilingCredentials = Task.Run(() => CompileCredentials(personIndex, compiledPeople));
        (Guid[] Ids, CompiledGrant[] Compiled) grants;
        try
        {
            grants = CompileGrants(personIndex, compiledPeople);
        }
        catch
        {
            // The grants' failure is the one reported; the credentials' own, if any, is observed rather than left to the finalizer.
            _ = compilingCredentials.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            throw;
        }
        // Waiting runs the credentials here if no other thread has started them yet.
        var credentials = compilingCredentials.GetAwaiter().GetResult();
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
            PersonIndex = PersonIndex.Of(personIds, compiledPeople, people.Count),
            PersonIds = personIds,
            People = compiledPeople,
            PersonMoreTags = moreTags,
            GrantIds = grants.Ids,
            Grants = grants.Compiled,
            CredentialIndex = credentials.Index,
            CredentialIds = credentials.Ids,
            Credentials = credentials.Compiled,
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
            Patching = PatchBase.Of(_defs, _types, _statuses, _tags, _siteIndex, _scopeIndex, _zoneIndex, qualifications.Ids),
            PeopleUsed = people.Count,
            GrantCount = grants.Ids.Length,
            GrantsUsed = grants.Ids.Length,
            CredentialsUsed = credentials.Ids.Length,
            PeopleSlots = new Slots(people.Count),
            GrantSlots = new Slots(grants.Ids.Length),
            CredentialSlots = new Slots(credentials.Ids.Length),
        };
    }

    /// <summary>A door's fields that depend on other definitions (site, zone, scopes and the rules and geofence in effect there).</summary>
    internal readonly record struct DoorFields(int Site, int Zone, int[] Scopes, CompiledRuleSet Rules, CompiledGeofence? Geofence, bool Holidays);

    internal DoorFields CompileDoor(DoorDefinition door)
    {
        if (door.HoldTime < MinHoldTime || door.HoldTime > MaxHoldTime)
            throw new PolicyDefinitionException($"Door {door.Id} has hold time {door.HoldTime}; it must be 1–30 seconds.");
        if (door.TwoPersonWindow is { } window && (window < Duration.FromSeconds(Decisions.TwoPersonRule.MinWindowSeconds) || window > Duration.FromSeconds(Decisions.TwoPersonRule.MaxWindowSeconds)))
            throw new PolicyDefinitionException($"Door {door.Id} has a two-person window of {window}; it must be {Decisions.TwoPersonRule.MinWindowSeconds}–{Decisions.TwoPersonRule.MaxWindowSeconds} seconds.");
        var siteIndex = Resolve(_siteIndex, door.SiteId, "site", door.Id);
        var zone = door.ZoneId is { } zoneId ? Resolve(_zoneIndex, zoneId, "zone", door.Id) : -1;
        var scopes = ResolveAll(_scopeIndex, door.ScopeIds, "scope", door.Id);
        var site = _defs.Sites[siteIndex];
        var ruleScope = FirstScopeWith(scopes, s => s.RuleOverride is not null);
        var geofenceScope = FirstScopeWith(scopes, s => s.GeofenceOverride is not null);
        return new DoorFields(siteIndex, zone, scopes,
            CompileRules(door.RuleOverride ?? ruleScope?.RuleOverride ?? site.Rules),
            CompileGeofence(door.GeofenceOverride ?? geofenceScope?.GeofenceOverride ?? site.Geofence),
            door.HolidaysApply && scopes.All(s => _defs.Scopes[s].HolidaysApply));
    }

    /// <summary>Whether every type, status and tag the person carries is interned already (a patch cannot widen the bit sets).</summary>
    internal bool Interned(PersonDefinition person) =>
        _types.ContainsKey(person.PersonType) && _statuses.ContainsKey(person.MembershipStatus)
        && person.SyncedTags.All(_tags.ContainsKey) && person.CustomTags.All(_tags.ContainsKey);

    /// <summary>Whether every type, status and tag a door's own rule override names is interned already.</summary>
    internal bool Interned(RuleSet? rules) =>
        rules is null || (rules.PersonTypeRules.All(r => _types.ContainsKey(r.PersonType) && r.Statuses.All(_statuses.ContainsKey))
            && rules.AllowedTags.All(_tags.ContainsKey));

    internal static int ResolvePerson(PersonIndex personIndex, Guid personId, Guid referencedBy) =>
        personIndex.TryGetValue(personId, out var p) ? p : throw new PolicyDefinitionException($"{referencedBy} refers to unknown person {personId}.");

    internal static PolicyDefinitionException DuplicateCredential(CredentialDefinition credential) =>
        new($"Credential {credential.Id} duplicates the value of another {credential.Kind} credential at its site.");

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
        // Indexed loops: an enumerator per list and person would be most of what a compile allocates.
        var people = _defs.People;
        for (var p = 0; p < people.Count; p++)
        {
            var person = people[p];
            Intern(_types, person.PersonType);
            Intern(_statuses, person.MembershipStatus);
            for (var t = 0; t < person.SyncedTags.Count; t++) Intern(_tags, person.SyncedTags[t]);
            for (var t = 0; t < person.CustomTags.Count; t++) Intern(_tags, person.CustomTags[t]);
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

    /// <summary>
    /// One person's record: site, interned type, status and tags, switches. The grant range is left empty for
    /// the grouping of grants to fill; tags beyond the first 64 go to <paramref name="moreTags"/> (TagWords - 1 words).
    /// </summary>
    internal CompiledPerson CompilePerson(PersonDefinition person, Span<ulong> moreTags)
    {
        var type = _types[person.PersonType];
        var compiled = new CompiledPerson
        {
            Site = person.SiteId is { } siteId ? Resolve(_siteIndex, siteId, "site", person.Id) : -1,
            Type = type,
            TypeStatus = type * _statuses.Count + _statuses[person.MembershipStatus],
            Enabled = person.AccessEnabled,
            Blocklisted = person.Blocklisted,
        };
        SetTags(person.SyncedTags, ref compiled, moreTags);
        SetTags(person.CustomTags, ref compiled, moreTags);
        return compiled;
    }

    private void SetTags(IReadOnlyList<string> tags, ref CompiledPerson compiled, Span<ulong> moreTags)
    {
        for (var t = 0; t < tags.Count; t++)
        {
            var bit = _tags[tags[t]];
            if (bit < 64) compiled.Tags |= 1UL << bit;
            else moreTags[(bit >> 6) - 1] |= 1UL << (bit & 63);
        }
    }

    /// <summary>One grant's fields, its doors and scopes resolved to sorted indexes.</summary>
    internal CompiledGrant CompileGrant(GrantDefinition grant) => new(
        TicksOrMin(grant.ValidFrom), TicksOrMax(grant.ValidUntil),
        Resolve(_siteIndex, grant.SiteId, "site", grant.Id), grant.SiteWide,
        ResolveAll(_doorIndex, grant.DoorIds, "door", grant.Id),
        ResolveAll(_scopeIndex, grant.ScopeIds, "scope", grant.Id),
        grant.Hours is null ? CompiledHours.Always : CompileHours(grant.Hours),
        grant.IsTemporary, grant.HolidaysApply);

    /// <summary>One credential's fields for the owner at index <paramref name="owner"/>.</summary>
    internal CompiledCredential CompileCredential(CredentialDefinition credential, int owner)
    {
        if (credential.MaxUses < 0) throw new PolicyDefinitionException($"Credential {credential.Id} has negative max uses.");
        return new CompiledCredential(owner, credential.Revoked, TicksOrMin(credential.ValidFrom), TicksOrMax(credential.ValidUntil),
            credential.MaxUses ?? -1,
            credential.Invite is null ? null : ResolveAll(_doorIndex, credential.Invite.AllowedDoorIds, "door", credential.Id));
    }

    /// <summary>Grants grouped by person, so a person's grants sit side by side, in id order; each person's range is written into their record.</summary>
    private (Guid[] Ids, CompiledGrant[] Compiled) CompileGrants(GuidIndex personIndex, PersonPages people)
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
        for (var p = 0; p < personIndex.Count; p++)
        {
            people[p].GrantStart = start[p];
            people[p].GrantEnd = start[p + 1];
        }

        var next = start;
        var ids = new Guid[defs.Count];
        var compiled = new CompiledGrant[defs.Count];
        for (var g = 0; g < defs.Count; g++)
        {
            var at = next[owner[g]]++;
            ids[at] = defs[g].Id;
            compiled[at] = CompileGrant(defs[g]);
        }
        // Each person's grants in id order, not load order: the grant an explanation names is the same whichever order
        // the rows came in, and a patched snapshot (which keeps runs in id order) names the same one.
        for (var p = 0; p < personIndex.Count; p++)
        {
            ref readonly var person = ref people[p];
            if (person.GrantEnd - person.GrantStart > 1) Array.Sort(ids, compiled, person.GrantStart, person.GrantEnd - person.GrantStart);
        }
        return (ids, compiled);
    }

    private (CredentialIndex Index, Guid[] Ids, CompiledCredential[] Compiled) CompileCredentials(GuidIndex personIndex, PersonPages people)
    {
        var defs = _defs.Credentials;
        var index = new CredentialIndex(defs.Count);
        var ids = new Guid[defs.Count];
        var compiled = new CompiledCredential[defs.Count];
        for (var c = 0; c < defs.Count; c++)
        {
            var credential = defs[c];
            var owner = Resolve(personIndex, credential.PersonId, "person", credential.Id);
            if (!index.TryAdd(new CredentialKey(people[owner].Site, credential.Kind, credential.Value), c, owner))
                throw DuplicateCredential(credential);
            ids[c] = credential.Id;
            compiled[c] = CompileCredential(credential, owner);
        }
        return (index, ids, compiled);
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

    private static GuidIndex IndexOf<T>(IReadOnlyList<T> items, Func<T, Guid> id, string what)
    {
        var index = new GuidIndex(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (!index.TryAdd(id(items[i]), i))
                throw new PolicyDefinitionException($"Duplicate {what} id {id(items[i])}.");
        }
        return index;
    }

    private static int Resolve(GuidIndex index, Guid id, string what, Guid referencedBy) =>
        index.TryGetValue(id, out var i)
            ? i
            : throw new PolicyDefinitionException($"{referencedBy} refers to unknown {what} {id}.");

    /// <summary>Resolves ids to sorted, distinct indexes.</summary>
    private static int[] ResolveAll(GuidIndex index, IReadOnlyList<Guid> ids, string what, Guid referencedBy)
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
