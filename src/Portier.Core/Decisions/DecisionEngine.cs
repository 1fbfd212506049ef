using System.Runtime.CompilerServices;
using NodaTime;
using Portier.Core.Doors;
using Portier.Core.Calendars;
using Portier.Core.Geo;
using Portier.Core.Model;
using Portier.Core.Policy;

namespace Portier.Core.Decisions;

/// <summary>
/// Decides one unlock attempt against a compiled <see cref="PolicySnapshot"/>. Pure: the instant,
/// the location and the live facts are arguments; nothing is read from a clock, database or network.
/// Checks run in a fixed order and the first failure is the reason:
/// credential (invalid, revoked, expired, max uses) → person (kill switch, blocklist) → door
/// (block all access, force closed) → lockdown (responders and exits pass; an evacuation holds the door open) → authorization (invite credential, else rules or grants) →
/// zone (on entry: ticket type, anti-passback, capacity; on exit: anti-passback, never refused) → geofence (app unlocks) → controller heartbeat →
/// two-person rule (a different authorised person waiting within the door's window; see <see cref="TwoPersonRule"/>).
/// Weekly hours are read in the door's site time zone. <see cref="Decide"/> does not allocate.
/// </summary>
public static class DecisionEngine
{
    /// <summary>The fast path: allowed or not, the reason and the path, without recording the checks.</summary>
    public static Decision Decide(PolicySnapshot snapshot, in DecisionRequest request, in LiveFacts facts)
    {
        var trace = default(NoTrace);
        return Run(snapshot, request, facts, ref trace);
    }

    /// <summary>The same decision as <see cref="Decide"/>, with each evaluated check and its outcome.</summary>
    public static DecisionExplanation Explain(PolicySnapshot snapshot, in DecisionRequest request, in LiveFacts facts)
    {
        var checks = new List<CheckResult>();
        var trace = new ListTrace(checks);
        var decision = Run(snapshot, request, facts, ref trace);
        return new DecisionExplanation(decision, checks);
    }

    /// <summary>
    /// The authorization step alone, for a person by id at <paramref name="at"/>: <see cref="ReasonCode.Granted"/>
    /// when a rule or grant passes now, else <see cref="ReasonCode.OutsideAccessHours"/>, <see cref="ReasonCode.HolidayClosed"/> or
    /// <see cref="ReasonCode.NoMatchingRuleOrGrant"/> exactly as <see cref="Decide"/> would give them; <see cref="ReasonCode.UnknownDoor"/>
    /// or <see cref="ReasonCode.UnknownPerson"/> when either is not in the snapshot (or the person not at the door's site).
    /// It answers whether the person holds a standing permission where a door's block, maintenance or lockdown stops
    /// the full decision before it reaches that step.
    /// </summary>
    public static ReasonCode Authorize(PolicySnapshot snapshot, Guid personId, Guid doorId, Instant at)
    {
        if (!snapshot.DoorIndex.TryGetValue(doorId, out var door)) return ReasonCode.UnknownDoor;
        ref readonly var who = ref snapshot.PersonIndex.Find(personId, snapshot.People, out var person);
        if (person < 0 || !PolicySnapshot.KnownAtSite(who, snapshot.DoorSite[door])) return ReasonCode.UnknownPerson;
        var trace = default(NoTrace);
        return AuthorizeRulesOrGrants(snapshot, person, who, door, at.ToUnixTimeTicks(), ref trace).Reason;
    }

    private static Decision Run<T>(PolicySnapshot s, in DecisionRequest request, in LiveFacts facts, ref T trace)
        where T : struct, IDecisionTrace
    {
        if (!s.DoorIndex.TryGetValue(request.DoorId, out var door))
            return Fail(ref trace, DecisionCheck.Door, ReasonCode.UnknownDoor);
        if (request.Origin != RequestOrigin.Presented) return Operate(s, door, request, facts, ref trace);
        var at = request.At.ToUnixTimeTicks();

        int person;
        var credential = -1;
        // By id, the person's record comes with their slot in the id table: one trip to memory, not two.
        ref readonly var who = ref Unsafe.NullRef<CompiledPerson>();
        if (request.CredentialValue is { } value)
        {
            // The owner comes with the key's slot, so their record is fetched beside the credential's, not after it.
            if (!s.CredentialIndex.Find(s.DoorSite[door], request.CredentialKind, value, s.Credentials, out credential, out person))
                return Fail(ref trace, DecisionCheck.Credential, ReasonCode.InvalidCredential);
            trace.Add(DecisionCheck.Credential, CheckOutcome.Passed, null, "credential found");
            ref readonly var presented = ref s.Credentials[credential];
            who = ref s.People[person];
            if (presented.Revoked)
                return Fail(ref trace, DecisionCheck.CredentialRevoked, ReasonCode.CredentialRevoked);
            trace.Add(DecisionCheck.CredentialRevoked, CheckOutcome.Passed, null, "not revoked");
            if (at < presented.From || at >= presented.Until)
                return Fail(ref trace, DecisionCheck.CredentialValidity, ReasonCode.Expired);
            trace.Add(DecisionCheck.CredentialValidity, CheckOutcome.Passed, null, "within validity window");
            var maxUses = presented.MaxUses;
            if (maxUses >= 0 && facts.CredentialUseCount >= maxUses)
                return Fail(ref trace, DecisionCheck.CredentialUses, ReasonCode.MaxUsesReached);
            if (trace.Enabled)
                trace.Add(DecisionCheck.CredentialUses, maxUses < 0 ? CheckOutcome.NotApplicable : CheckOutcome.Passed, null,
                    maxUses < 0 ? "no use limit" : $"{facts.CredentialUseCount} of {maxUses} uses");
        }
        else
        {
            who = ref s.PersonIndex.Find(request.PersonId, s.People, out person);
            if (person < 0 || !PolicySnapshot.KnownAtSite(who, s.DoorSite[door]))
                return Fail(ref trace, DecisionCheck.Person, ReasonCode.UnknownPerson);
        }

        if (!who.Enabled)
            return Fail(ref trace, DecisionCheck.AccessEnabled, ReasonCode.AccessDisabled);
        trace.Add(DecisionCheck.AccessEnabled, CheckOutcome.Passed, null, "access enabled");
        if (who.Blocklisted)
            return Fail(ref trace, DecisionCheck.Blocklist, ReasonCode.Blocklisted);
        trace.Add(DecisionCheck.Blocklist, CheckOutcome.Passed, null, "not blocklisted");

        if (s.DoorBlocked[door])
            return Fail(ref trace, DecisionCheck.DoorBlock, ReasonCode.DoorBlocked);
        trace.Add(DecisionCheck.DoorBlock, CheckOutcome.Passed, null, "door does not block access");
        var maintenance = s.MaintenanceAt(door, request.At);
        if (maintenance == MaintenanceMode.ForceClosed)
            return Fail(ref trace, DecisionCheck.DoorMaintenance, ReasonCode.DoorForceClosed, OverrideNote(s, door, request.At));
        var heldOpen = maintenance == MaintenanceMode.ForceOpen;
        if (trace.Enabled)
            trace.Add(DecisionCheck.DoorMaintenance, CheckOutcome.Passed, null, (heldOpen ? "force open: door is held open" : "normal") + OverrideNote(s, door, request.At));

        var direction = request.Direction ?? s.DoorDirections[door];
        var plan = s.DoorLockdown[door];
        if (plan >= 0 && s.LockdownKinds[plan] == LockdownKind.Lockdown)
        {
            // Free egress is never blocked: an exit reader or an exit door passes whatever the plan.
            if (direction == DoorDirection.Out)
                trace.Add(DecisionCheck.Lockdown, CheckOutcome.Passed, null, "under lockdown, but an exit is never refused");
            else if (!s.IsResponder(plan, person))
                return Fail(ref trace, DecisionCheck.Lockdown, ReasonCode.Lockdown);
            else if (trace.Enabled)
                trace.Add(DecisionCheck.Lockdown, CheckOutcome.Passed, null, $"a responder of lockdown plan {s.LockdownIds[plan]}");
        }
        else if (plan >= 0)
        {
            heldOpen = true;
            if (trace.Enabled) trace.Add(DecisionCheck.Lockdown, CheckOutcome.Passed, null, $"evacuation plan {s.LockdownIds[plan]}: door is released");
        }
        else
        {
            trace.Add(DecisionCheck.Lockdown, CheckOutcome.NotApplicable, null, "no lockdown or evacuation");
        }

        var path = credential >= 0 && s.Credentials[credential].InviteDoors is { } inviteDoors
            ? AuthorizeInvite(s, door, inviteDoors, ref trace)
            : AuthorizeRulesOrGrants(s, person, who, door, at, ref trace);
        if (path.Reason != ReasonCode.Granted) return Decision.Deny(path.Reason);
        if (CheckQualifications(s, person, door, at, direction == DoorDirection.Out, ref trace) is var lacking && lacking != ReasonCode.Granted) return Decision.Deny(lacking);

        var zone = s.DoorZone[door];
        var entering = direction.EntersZone();
        var passback = PassbackViolation.None;
        if (zone >= 0 && entering)
        {
            if (s.ZoneTypes[zone] is { } types && !Bits.Test(types, who.Type) && !s.HasAnyTag(s.ZoneTags[zone]!, person, who))
                return Fail(ref trace, DecisionCheck.ZoneTicketType, ReasonCode.TicketTypeRequired);
            trace.Add(DecisionCheck.ZoneTicketType, CheckOutcome.Passed, null, "ticket type admitted");
            passback = CheckPassback(s.ZonePassback[zone], entering, facts.Presence, request.At, refusable: true, ref trace);
            if (PassbackCheck.Refuses(s.ZonePassback[zone], passback)) return Decision.Deny(ReasonCode.PassbackViolation) with { Passback = passback };
            var capacity = s.ZoneCapacity[zone];
            if (capacity >= 0 && facts.ZoneOccupancy >= capacity)
                return Fail(ref trace, DecisionCheck.ZoneCapacity, ReasonCode.CapacityExceeded);
            if (trace.Enabled)
                trace.Add(DecisionCheck.ZoneCapacity, CheckOutcome.Passed, null,
                    capacity < 0 ? "no capacity limit" : $"{facts.ZoneOccupancy} of {capacity} present");
        }
        else
        {
            passback = zone >= 0
                ? CheckPassback(s.ZonePassback[zone], entering, facts.Presence, request.At, refusable: true, ref trace)
                : NoPassback(ref trace);
            trace.Add(DecisionCheck.ZoneCapacity, CheckOutcome.NotApplicable, null, "not an entry into a zone");
        }

        var geofence = s.DoorGeofence[door];
        if (request.GeofenceApplies && geofence is not null)
        {
            var reason = CheckGeofence(geofence, request.Location);
            if (reason != ReasonCode.Granted) return Fail(ref trace, DecisionCheck.Geofence, reason);
            trace.Add(DecisionCheck.Geofence, CheckOutcome.Passed, null, "inside geofence");
        }
        else
        {
            trace.Add(DecisionCheck.Geofence, CheckOutcome.NotApplicable, null,
                geofence is null ? "no geofence for this door" : "not an app unlock");
        }

        if (facts.DeviceLastSeen is not { } seen || request.At - seen > LiveFacts.HeartbeatWindow)
            return Fail(ref trace, DecisionCheck.Device, ReasonCode.DeviceOffline);
        trace.Add(DecisionCheck.Device, CheckOutcome.Passed, null, "controller online");

        Guid? companion = null;
        if (s.DoorTwoPerson[door] is { } window)
        {
            // Last, so the one told to wait really may pass: only a second authorised person is missing.
            var waiting = facts.Waiting;
            if (!waiting.PairsAt(request.At, window) || waiting.PersonId == s.PersonIds[person])
                return Fail(ref trace, DecisionCheck.TwoPerson, ReasonCode.TwoPersonWaiting, trace.Enabled ? WaitNote(waiting, s.PersonIds[person], request.At, window) : "");
            companion = waiting.PersonId;
            if (trace.Enabled)
                trace.Add(DecisionCheck.TwoPerson, CheckOutcome.Passed, null,
                    $"two-person rule: person {waiting.PersonId} has been waiting since {waiting.Since} (window {(int)window.TotalSeconds} s); they pass together");
        }
        else
        {
            trace.Add(DecisionCheck.TwoPerson, CheckOutcome.NotApplicable, null, "the door opens for one person");
        }

        return new Decision(true, ReasonCode.Granted, path.Path, heldOpen) { Passback = passback, Companion = companion };
    }

    /// <summary>For the explainer: why a person at a two-person door must wait.</summary>
    private static string WaitNote(TwoPersonWait waiting, Guid person, Instant at, Duration window) =>
        !waiting.IsSomeone ? $": nobody is waiting; this person waits up to {(int)window.TotalSeconds} s for a second authorised person"
        : waiting.PersonId == person && waiting.PairsAt(at, window) ? ": the same person again; their wait starts afresh, a second, different person is needed"
        : waiting.PairsAt(at, window) ? ": nobody else is waiting"
        : $": person {waiting.PersonId} waited since {waiting.Since}, longer than the {(int)window.TotalSeconds} s window; this person waits afresh";

    /// <summary>An administrator's override or the door's schedule: no person to check, only the door and, for an override, its controller.</summary>
    private static Decision Operate<T>(PolicySnapshot s, int door, in DecisionRequest request, in LiveFacts facts, ref T trace)
        where T : struct, IDecisionTrace
    {
        var maintenance = s.MaintenanceAt(door, request.At);
        var plan = s.DoorLockdown[door];
        var lockedDown = plan >= 0 && s.LockdownKinds[plan] == LockdownKind.Lockdown;
        var heldOpen = maintenance == MaintenanceMode.ForceOpen || (plan >= 0 && !lockedDown);
        if (request.Origin == RequestOrigin.Schedule)
        {
            if (maintenance == MaintenanceMode.ForceClosed)
                return Fail(ref trace, DecisionCheck.DoorMaintenance, ReasonCode.DoorForceClosed, OverrideNote(s, door, request.At));
            if (trace.Enabled)
                trace.Add(DecisionCheck.DoorMaintenance, CheckOutcome.Passed, null, (heldOpen ? "force open: door is held open" : "normal") + OverrideNote(s, door, request.At));
            if (lockedDown) return Fail(ref trace, DecisionCheck.Lockdown, ReasonCode.Lockdown);
            trace.Add(DecisionCheck.Lockdown, plan >= 0 ? CheckOutcome.Passed : CheckOutcome.NotApplicable, null,
                plan >= 0 ? "evacuation: door is released" : "no lockdown or evacuation");
            if (s.DoorArrival[door] is { } rule)
            {
                var siteZone = s.SiteClocks[s.DoorSite[door]].Zone;
                if (facts.FirstArrival is not { } arrival || arrival.At < FirstArrivalRule.DayStart(request.At, siteZone) || arrival.At > request.At)
                    return Fail(ref trace, DecisionCheck.FirstArrival, ReasonCode.AwaitingFirstArrival, $": auto-unlock waits for the first arrival of {rule.Describe()}");
                if (trace.Enabled)
                    trace.Add(DecisionCheck.FirstArrival, CheckOutcome.Passed, null,
                        $"auto-unlock started by person {arrival.PersonId} at {arrival.At.InZone(siteZone).TimeOfDay:HH:mm:ss} (first arrival of {rule.Describe()})");
            }
            else
            {
                trace.Add(DecisionCheck.FirstArrival, CheckOutcome.NotApplicable, null, "auto-unlock is not first-to-arrive");
            }
            return new Decision(true, ReasonCode.Granted, DecisionPath.Schedule, heldOpen);
        }
        trace.Add(DecisionCheck.DoorMaintenance, CheckOutcome.Passed, null,
            heldOpen ? "force open: door is held open" : "an administrator's override opens the door whatever its block or maintenance");
        trace.Add(DecisionCheck.Lockdown, lockedDown ? CheckOutcome.Passed : CheckOutcome.NotApplicable, null,
            lockedDown ? "under lockdown: an administrator's override still opens the door, recorded as a lockdown override" : "no lockdown");
        // The person an administrator lets through passes whatever the anti-passback; the violation is recorded.
        var zone = s.DoorZone[door];
        var passback = zone >= 0 && request.PersonId != Guid.Empty
            ? CheckPassback(s.ZonePassback[zone], (request.Direction ?? s.DoorDirections[door]).EntersZone(), facts.Presence, request.At, refusable: false, ref trace)
            : NoPassback(ref trace);
        if (facts.DeviceLastSeen is not { } seen || request.At - seen > LiveFacts.HeartbeatWindow)
            return Fail(ref trace, DecisionCheck.Device, ReasonCode.DeviceOffline);
        trace.Add(DecisionCheck.Device, CheckOutcome.Passed, null, "controller online");
        return new Decision(true, ReasonCode.Granted, lockedDown ? DecisionPath.LockdownOverride : DecisionPath.AdminOverride, heldOpen) { Passback = passback };
    }

    /// <summary>
    /// Granted when the person holds every qualification the door requires at the instant; otherwise the first one
    /// lacking decides. Leaving is not a use of what the training guards: an exit passage is not subject.
    /// </summary>
    private static ReasonCode CheckQualifications<T>(PolicySnapshot s, int person, int door, long at, bool exit, ref T trace)
        where T : struct, IDecisionTrace
    {
        if (s.DoorQualifications[door].Length == 0 || exit)
        {
            trace.Add(DecisionCheck.Qualifications, CheckOutcome.NotApplicable, null,
                exit && s.DoorQualifications[door].Length > 0 ? "an exit passage needs no qualification" : "the door requires no qualification");
            return ReasonCode.Granted;
        }
        var lacking = s.LackingQualification(person, door, at, out var held);
        if (lacking < 0)
        {
            if (trace.Enabled) trace.Add(DecisionCheck.Qualifications, CheckOutcome.Passed, null, "holds " + DescribeHeld(s, person, door));
            return ReasonCode.Granted;
        }
        var reason = held < 0 ? ReasonCode.QualificationMissing : ReasonCode.QualificationExpired;
        if (trace.Enabled)
            Fail(ref trace, DecisionCheck.Qualifications, reason, held < 0
                ? $": does not hold {s.QualificationNames[lacking]}"
                : $": {s.QualificationNames[lacking]} expired at {Instant.FromUnixTimeTicks(s.HeldQualificationUntil[held])}");
        return reason;
    }

    private static string DescribeHeld(PolicySnapshot s, int person, int door)
    {
        var start = s.PersonQualificationStart[person];
        var count = s.PersonQualificationStart[person + 1] - start;
        return string.Join(", ", s.DoorQualifications[door].Select(q =>
        {
            var held = Array.BinarySearch(s.HeldQualification, start, count, q);
            var until = s.HeldQualificationUntil[held];
            return until == long.MaxValue ? $"{s.QualificationNames[q]} (does not expire)" : $"{s.QualificationNames[q]} (until {Instant.FromUnixTimeTicks(until)})";
        }));
    }

    private static (ReasonCode Reason, DecisionPath Path) AuthorizeInvite<T>(PolicySnapshot s, int door, int[] allowed, ref T trace)
        where T : struct, IDecisionTrace
    {
        trace.Add(DecisionCheck.RulePath, CheckOutcome.NotApplicable, null, "invite credentials open their points of entry only");
        trace.Add(DecisionCheck.GrantPath, CheckOutcome.NotApplicable, null, "invite credentials open their points of entry only");
        if (!s.DoorPointOfEntry[door] || (allowed.Length > 0 && Array.BinarySearch(allowed, door) < 0))
        {
            Fail(ref trace, DecisionCheck.InvitePath, ReasonCode.EntryPointNotAllowed);
            return (ReasonCode.EntryPointNotAllowed, DecisionPath.None);
        }
        trace.Add(DecisionCheck.InvitePath, CheckOutcome.Passed, null, "allowed point of entry");
        return (ReasonCode.Granted, DecisionPath.Invite);
    }

    private static (ReasonCode Reason, DecisionPath Path) AuthorizeRulesOrGrants<T>(PolicySnapshot s, int person, in CompiledPerson who, int door, long at, ref T trace)
        where T : struct, IDecisionTrace
    {
        var site = s.DoorSite[door];
        var local = s.SiteClocks[site].ToLocalTicks(at);
        var tickOfWeek = SiteClock.TickOfWeekOfLocal(local);
        // The day lookup only for sites some calendar entry reaches, and doors not exempt from holidays.
        CalendarDay? day = null;
        long tickOfDay = 0;
        if (s.SiteCalendars[site] is { } calendar && s.DoorHolidays[door]) day = calendar.AtLocalTicks(local, out tickOfDay);
        if (trace.Enabled) TraceCalendar(s, door, site, day, ref trace);

        var rules = s.DoorRules[door];
        var ruleMatched = Bits.Test(rules.TypeStatusPairs, who.TypeStatus) || s.HasAnyTag(rules.Tags, person, who);
        var ruleDay = rules.HolidaysApply ? day : null;
        var ruleClosed = ruleMatched && ruleDay is { Closed: true };
        if (ruleMatched && !ruleClosed && WithinHours(rules.Hours, ruleDay, tickOfWeek, tickOfDay))
        {
            if (trace.Enabled)
                trace.Add(DecisionCheck.RulePath, CheckOutcome.Passed, null,
                    ruleDay?.SpecialHours is null ? "a rule matches within its hours" : $"a rule matches within today's special hours ({ruleDay.Names})");
            trace.Add(DecisionCheck.GrantPath, CheckOutcome.NotApplicable, null, "not needed");
            return (ReasonCode.Granted, DecisionPath.Rule);
        }
        if (trace.Enabled)
            trace.Add(DecisionCheck.RulePath, CheckOutcome.Failed,
                ruleClosed ? ReasonCode.HolidayClosed : ruleMatched ? ReasonCode.OutsideAccessHours : ReasonCode.NoMatchingRuleOrGrant,
                !ruleMatched ? "no rule matches"
                : ruleClosed ? $"a rule matches but the site is closed today ({ruleDay!.Names})"
                : ruleDay?.SpecialHours is not null ? $"a rule matches but the time is outside today's special hours ({ruleDay.Names})"
                : "a rule matches but the time is outside its hours");

        var grantClosed = false;
        for (var g = who.GrantStart; g < who.GrantEnd; g++)
        {
            ref readonly var grant = ref s.Grants[g];
            if (at < grant.From || at >= grant.Until) continue;
            if (!GrantCovers(s, grant, door, site)) continue;
            var grantDay = grant.Holidays ? day : null;
            if (grantDay is { Closed: true })
            {
                grantClosed = true;
                continue;
            }
            if (!WithinHours(grant.Hours, grantDay, tickOfWeek, tickOfDay)) continue;
            if (trace.Enabled)
                trace.Add(DecisionCheck.GrantPath, CheckOutcome.Passed, null,
                    grantDay?.SpecialHours is null ? $"grant {s.GrantIds[g]}" : $"grant {s.GrantIds[g]} within today's special hours ({grantDay.Names})");
            return (ReasonCode.Granted, grant.Temporary ? DecisionPath.TemporaryGrant : DecisionPath.Grant);
        }
        var reason = ruleClosed || grantClosed ? ReasonCode.HolidayClosed
            : ruleMatched ? ReasonCode.OutsideAccessHours : ReasonCode.NoMatchingRuleOrGrant;
        if (trace.Enabled)
            trace.Add(DecisionCheck.GrantPath, CheckOutcome.Failed, reason,
                grantClosed ? $"a grant covers this door but the site is closed today ({day!.Names})" : "no grant covers this door now");
        return (reason, DecisionPath.None);
    }

    /// <summary>A special-hours day replaces the weekly hours with the day's windows; otherwise the weekly hours hold.</summary>
    private static bool WithinHours(CompiledHours weekly, CalendarDay? day, long tickOfWeek, long tickOfDay) =>
        day?.SpecialHours is not null ? day.SpecialHoursContain(tickOfDay) : weekly.Contains(tickOfWeek);

    private static void TraceCalendar<T>(PolicySnapshot s, int door, int site, CalendarDay? day, ref T trace)
        where T : struct, IDecisionTrace
    {
        if (day is not null)
        {
            var effect = day.Closed ? "the site is closed" : day.SpecialHours is not null ? "special hours replace the weekly hours" : "only auto-unlock changes";
            trace.Add(DecisionCheck.HolidayCalendar, CheckOutcome.Passed, null,
                $"calendar day {day.Names}: {effect} for the rules and grants to which holidays apply");
            return;
        }
        trace.Add(DecisionCheck.HolidayCalendar, CheckOutcome.NotApplicable, null,
            s.SiteCalendars[site] is null ? "no holiday calendar reaches this site"
            : s.DoorHolidays[door] ? "no calendar day today" : "this door is exempt from holidays");
    }

    private static bool GrantCovers(PolicySnapshot s, in CompiledGrant grant, int door, int site)
    {
        if (grant.SiteWide && grant.Site == site) return true;
        var doors = grant.Doors;
        if (doors.Length > 0 && Array.BinarySearch(doors, door) >= 0) return true;
        var grantScopes = grant.Scopes;
        if (grantScopes.Length == 0) return false;
        foreach (var scope in s.DoorScopes[door])
        {
            if (Array.BinarySearch(grantScopes, scope) >= 0) return true;
        }
        return false;
    }

    /// <summary>
    /// The zone's anti-passback for a passage, given the person's presence (a live fact). A violation it
    /// <paramref name="refusable"/> refuses fails the check; any other is passed and recorded on the decision.
    /// </summary>
    private static PassbackViolation CheckPassback<T>(PassbackRule rule, bool entering, in ZonePresence presence, NodaTime.Instant at, bool refusable, ref T trace)
        where T : struct, IDecisionTrace
    {
        if (rule.Mode == PassbackMode.Off) return NoPassback(ref trace);
        var violation = PassbackCheck.Evaluate(rule, entering, presence, at);
        if (trace.Enabled)
        {
            var refused = refusable && PassbackCheck.Refuses(rule, violation);
            var note = PassbackCheck.Describe(rule, violation, presence);
            trace.Add(DecisionCheck.ZonePassback, refused ? CheckOutcome.Failed : CheckOutcome.Passed, refused ? ReasonCode.PassbackViolation : null,
                refused || violation == PassbackViolation.None ? note : $"{note}; let through, violation recorded");
        }
        return violation;
    }

    private static PassbackViolation NoPassback<T>(ref T trace)
        where T : struct, IDecisionTrace
    {
        trace.Add(DecisionCheck.ZonePassback, CheckOutcome.NotApplicable, null, "no anti-passback for this passage");
        return PassbackViolation.None;
    }

    private static ReasonCode CheckGeofence(CompiledGeofence geofence, GeoLocation? location)
    {
        if (location is not { } at) return ReasonCode.LocationUnavailable;
        if (!(at.AccuracyMeters <= geofence.RequiredAccuracyMeters)) return ReasonCode.GpsTooImprecise;
        var distance = GeoDistance.HaversineMeters(geofence.Latitude, geofence.Longitude, at.Latitude, at.Longitude);
        var allowed = geofence.RadiusMeters + at.AccuracyMeters + geofence.BufferMeters;
        return distance <= allowed ? ReasonCode.Granted : ReasonCode.OutsideGeofence;
    }

    private static Decision Fail<T>(ref T trace, DecisionCheck check, ReasonCode reason, string note = "")
        where T : struct, IDecisionTrace
    {
        if (trace.Enabled) trace.Add(check, CheckOutcome.Failed, reason, reason.ToCode() + note);
        return Decision.Deny(reason);
    }

    /// <summary>For the explainer: a running timed override and when it ends, or nothing.</summary>
    private static string OverrideNote(PolicySnapshot s, int door, Instant at) =>
        s.DoorOverrides[door] is { } o && o.IsActiveAt(at) && o.Mode != DoorOverrideMode.Unlock
            ? $" (timed override until {o.Until})"
            : "";
}
