namespace Portier.Core.Tests;

/// <summary>A small site in New York: one door in the "Service entries" scope, one Member with status Current.</summary>
internal static class Fixture
{
    public static readonly Guid SiteId = Id(1);
    public static readonly Guid DoorId = Id(2);
    public static readonly Guid ServiceEntries = Id(3);
    public static readonly Guid PersonId = Id(4);
    public static readonly Guid ZoneId = Id(5);
    public static readonly Guid OtherDoorId = Id(6);

    public static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    public static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];

    /// <summary>Monday 2 June 2025, 12:00 in New York.</summary>
    public static readonly Instant MondayNoon = Local(NewYork, 2025, 6, 2, 12, 0);

    public static Guid Id(int n) => new(n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static RuleSet MemberCurrent(WeeklyHours? hours = null) =>
        new([new PersonTypeRule("Member", ["Current"])], ["staff"], hours ?? WeeklyHours.Always);

    public static WeeklyHours EveryDay(params (int StartHour, int EndHour)[] windows) =>
        new([.. Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None)
            .SelectMany(d => windows.Select(w => new TimeBlock(d, new LocalTime(w.StartHour, 0),
                w.EndHour == 24 ? LocalTime.Midnight : new LocalTime(w.EndHour, 0))))]);

    public static PersonDefinition Member(string status = "Current") => new(PersonId, "Member", status);

    public static PolicyDefinitions Site(RuleSet? rules = null, string zone = "America/New_York") => new()
    {
        Sites = [new SiteDefinition(SiteId, zone, rules ?? MemberCurrent())],
        Scopes = [new ScopeDefinition(ServiceEntries, SiteId)],
        Doors =
        [
            new DoorDefinition(DoorId, SiteId) { ScopeIds = [ServiceEntries] },
            new DoorDefinition(OtherDoorId, SiteId),
        ],
        People = [Member()],
    };

    public static PolicyDefinitions WithDoor(this PolicyDefinitions defs, Func<DoorDefinition, DoorDefinition> change) =>
        defs with { Doors = [.. defs.Doors.Select(d => d.Id == DoorId ? change(d) : d)] };

    public static PolicyDefinitions WithPerson(this PolicyDefinitions defs, PersonDefinition person) =>
        defs with { People = [.. defs.People.Where(p => p.Id != person.Id), person] };

    public static PolicyDefinitions WithGrant(this PolicyDefinitions defs, GrantDefinition grant) =>
        defs with { Grants = [.. defs.Grants, grant] };

    public static GrantDefinition Grant(int n = 100) => new(Id(n), PersonId, SiteId);

    public static Instant Local(DateTimeZone zone, int year, int month, int day, int hour, int minute) =>
        zone.AtStrictly(new LocalDateTime(year, month, day, hour, minute)).ToInstant();

    public static Decision Decide(this PolicyDefinitions defs, Instant at, Guid? door = null, LiveFacts? facts = null) =>
        Decide(PolicySnapshot.Compile(defs), DecisionRequest.ForPerson(PersonId, door ?? DoorId, at), facts);

    public static Decision Decide(PolicySnapshot snapshot, DecisionRequest request, LiveFacts? facts = null)
    {
        var live = facts ?? LiveFacts.OnlineAt(request.At);
        var decision = DecisionEngine.Decide(snapshot, request, live);
        // Every example doubles as a check that the explained path reaches the same answer.
        Assert.Equal(decision, DecisionEngine.Explain(snapshot, request, live).Decision);
        return decision;
    }

    public static void AssertAllowed(Decision decision, DecisionPath path)
    {
        Assert.Equal(ReasonCode.Granted, decision.Reason);
        Assert.True(decision.Allowed);
        Assert.Equal(path, decision.Path);
    }

    public static void AssertDenied(Decision decision, ReasonCode reason)
    {
        Assert.Equal(reason, decision.Reason);
        Assert.False(decision.Allowed);
        Assert.Equal(DecisionPath.None, decision.Path);
    }
}
