using Portier.Core.Doors;

namespace Portier.Core.Tests.Policy;

/// <summary>
/// A small random world for the incremental snapshot properties: two sites in different zones, scopes with overrides
/// and qualifications, and pools of person, door, grant and credential ids small enough that changes collide,
/// remove and re-add ids, and reference what is missing. Some worlds carry a lockdown or a first-to-arrive door.
/// </summary>
internal sealed class IncrementalWorld(int seed)
{
    public const int People = 24, Doors = 8, Grants = 30, Credentials = 30;
    private static readonly string[] Types = ["Member", "Staff", "Guest"];
    private static readonly string[] Statuses = ["Current", "Lapsed"];
    private static readonly string[] Tags = ["staff", "vip", "night"];
    /// <summary>Tags a zone may admit: with them the snapshot holds more than 64 tags, and the last ones live beyond a person's record.</summary>
    private static readonly string[] ManyTags = [.. Enumerable.Range(0, 70).Select(i => $"t{i}")];
    private static readonly Guid[] SiteIds = [Id(10), Id(11)];
    private static readonly Guid[][] ScopesOfSite = [[Id(20), Id(21)], [Id(22)]];
    private static readonly Guid[] ZoneOfSite = [Id(30), Id(31)];
    private static readonly Guid Q1 = Id(40), Q2 = Id(41);

    public Random Random { get; } = new(seed);

    public static Guid PersonId(int i) => Id(1000 + i);
    public static Guid DoorId(int i) => Id(2000 + i);
    private static Guid GrantId(int i) => Id(3000 + i);
    private static Guid CredentialId(int i) => Id(4000 + i);
    public static string Value(int i) => $"C{i}";

    private T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];
    private bool Chance(int percent) => Random.Next(100) < percent;
    private T[] Some<T>(IReadOnlyList<T> items) => [.. items.Where(_ => Random.Next(3) == 0)];

    /// <summary>Once in a while a type or tag nothing used before: a patch cannot widen the bit sets and asks for a full compile.</summary>
    private string Type() => Chance(4) ? "Contractor" : Pick(Types);
    private string[] SomeTags() => Chance(4) ? [.. Some(Tags), "rare"] : Chance(15) ? [.. Some(Tags), Pick(ManyTags[60..])] : Some(Tags);

    public Instant At() => MondayNoon + Duration.FromMinutes(Random.Next(-3 * 24 * 60, 10 * 24 * 60));

    private Instant? Maybe() => Chance(30) ? At() : null;

    private RuleSet Rules() => new(
        [.. Enumerable.Range(0, Random.Next(3)).Select(_ => new PersonTypeRule(Pick(Types), Some(Statuses)))],
        Some(Tags),
        Chance(50) ? WeeklyHours.Always : EveryDay((Random.Next(0, 12), Random.Next(12, 25))));

    public PolicyDefinitions Initial()
    {
        var defs = new PolicyDefinitions
        {
            Sites = [new SiteDefinition(SiteIds[0], "America/New_York", Rules()), new SiteDefinition(SiteIds[1], "Europe/Berlin", Rules())],
            Scopes =
            [
                new ScopeDefinition(ScopesOfSite[0][0], SiteIds[0]) { RuleOverride = Rules() },
                new ScopeDefinition(ScopesOfSite[0][1], SiteIds[0]) { RequiredQualificationIds = [Q1], HolidaysApply = Chance(50) },
                new ScopeDefinition(ScopesOfSite[1][0], SiteIds[1]) { RuleOverride = Chance(50) ? Rules() : null },
            ],
            Zones = [new ZoneDefinition(ZoneOfSite[0], SiteIds[0]) { RequiredPersonTypes = Chance(30) ? ["Member"] : [] }, new ZoneDefinition(ZoneOfSite[1], SiteIds[1]) { RequiredTags = Chance(40) ? ManyTags : [] }],
            Qualifications = [new QualificationDefinition(Q1, "first aid"), new QualificationDefinition(Q2, "forklift")],
            Calendars = Chance(50) ? [new Portier.Core.Calendars.CalendarDefinition(Id(50), "Holidays", null) { Entries = [new Portier.Core.Calendars.CalendarEntryDefinition(Id(51), "Closed day", new LocalDate(2025, 6, 4), new LocalDate(2025, 6, 4), Portier.Core.Calendars.CalendarDayEffect.Closed)] }] : [],
        };
        defs = defs with
        {
            Doors = [.. Enumerable.Range(0, Doors - 2).Select(i => Door(i))],
            People = [.. Enumerable.Range(0, People * 2 / 3).Select(i => Person(i))],
        };
        if (Chance(25))
        {
            defs = defs with { Lockdowns = [new LockdownDefinition(Id(60), SiteIds[1], LockdownKind.Lockdown, 1) { SiteWide = true, ResponderTags = ["vip"], ResponderPersonIds = [PersonId(1), PersonId(People - 1)] }] };
        }
        if (Chance(25))
        {
            var gated = Door(0) with { FirstArrival = new FirstArrivalRule(FirstArrivalScope.Door) { PersonTypes = ["Staff"], PersonIds = [PersonId(2), PersonId(People - 2)] } };
            defs = defs with { Doors = [gated, .. defs.Doors.Skip(1)] };
        }
        return defs;
    }

    public PersonDefinition Person(int i) => new(PersonId(i), Type(), Pick(Statuses))
    {
        SiteId = Chance(30) ? Pick(SiteIds) : null,
        SyncedTags = SomeTags(),
        CustomTags = Some(Tags),
        AccessEnabled = !Chance(10),
        Blocklisted = Chance(10),
        Qualifications = Chance(20) ? [new HeldQualification(Pick([Q1, Q2]), Chance(50) ? MondayNoon - Duration.FromDays(1) : null, Chance(50) ? MondayNoon + Duration.FromDays(Random.Next(1, 5)) : null)] : [],
    };

    public DoorDefinition Door(int i)
    {
        var site = Random.Next(2);
        return new DoorDefinition(DoorId(i), SiteIds[site])
        {
            ZoneId = Chance(50) ? ZoneOfSite[site] : null,
            ScopeIds = Some(ScopesOfSite[site]),
            BlockAllAccess = Chance(10),
            Maintenance = Chance(10) ? Pick(Enum.GetValues<MaintenanceMode>()) : MaintenanceMode.Normal,
            RuleOverride = Chance(20) ? (Chance(20) ? new RuleSet([new PersonTypeRule("Contractor")], [], WeeklyHours.Always) : Rules()) : null,
            IsPointOfEntry = Chance(50),
            HolidaysApply = !Chance(20),
            RequiredQualificationIds = Chance(15) ? [Chance(80) ? Q2 : Id(42)] : [],
        };
    }

    private GrantDefinition Grant()
    {
        var site = Random.Next(2);
        var grant = new GrantDefinition(GrantId(Random.Next(Grants)), PersonId(Random.Next(People)), SiteIds[site])
        {
            Hours = Chance(50) ? null : EveryDay((Random.Next(0, 12), Random.Next(12, 25))),
            ValidFrom = Maybe(),
            ValidUntil = Maybe(),
            HolidaysApply = !Chance(20),
        };
        return Random.Next(3) switch
        {
            0 => grant with { SiteWide = true },
            1 => grant with { DoorIds = [.. Enumerable.Range(0, Random.Next(1, 3)).Select(_ => DoorId(Random.Next(Doors)))] },
            _ => grant with { ScopeIds = Some(ScopesOfSite[site]) },
        };
    }

    private CredentialDefinition Credential() => new(CredentialId(Random.Next(Credentials)), PersonId(Random.Next(People)),
        Chance(80) ? CredentialKind.Card : CredentialKind.Pin, Value(Random.Next(16)))
    {
        ValidFrom = Maybe(),
        ValidUntil = Maybe(),
        MaxUses = Chance(20) ? Random.Next(0, 4) : null,
        Revoked = Chance(20),
        Invite = Chance(10) ? new InviteConstraints(Some(Enumerable.Range(0, Doors).Select(DoorId).ToArray())) : null,
    };

    public PolicyChange Change() => Random.Next(100) switch
    {
        < 25 => new PersonChanged(Person(Random.Next(People))),
        < 33 => new PersonRemoved(PersonId(Random.Next(People))),
        < 53 => new CredentialChanged(Credential()),
        < 60 => new CredentialRemoved(CredentialId(Random.Next(Credentials))),
        < 80 => new GrantChanged(Grant()),
        < 87 => new GrantRemoved(GrantId(Random.Next(Grants))),
        < 97 => new DoorChanged(Door(Random.Next(Doors))),
        _ => new DoorRemoved(DoorId(Random.Next(Doors))),
    };

    /// <summary>The definitions with the change made as the database makes it: in place by id, else at the end; a person's removal takes their grants and credentials.</summary>
    public static PolicyDefinitions Apply(PolicyDefinitions defs, PolicyChange change) => change switch
    {
        PersonChanged c => defs with { People = Upsert(defs.People, c.Person, p => p.Id) },
        PersonRemoved c => defs with
        {
            People = [.. defs.People.Where(p => p.Id != c.PersonId)],
            Grants = [.. defs.Grants.Where(g => g.PersonId != c.PersonId)],
            Credentials = [.. defs.Credentials.Where(g => g.PersonId != c.PersonId)],
        },
        CredentialChanged c => defs with { Credentials = Upsert(defs.Credentials, c.Credential, x => x.Id) },
        CredentialRemoved c => defs with { Credentials = [.. defs.Credentials.Where(x => x.Id != c.CredentialId)] },
        GrantChanged c => defs with { Grants = Upsert(defs.Grants, c.Grant, x => x.Id) },
        GrantRemoved c => defs with { Grants = [.. defs.Grants.Where(x => x.Id != c.GrantId)] },
        DoorChanged c => defs with { Doors = Upsert(defs.Doors, c.Door, x => x.Id) },
        DoorRemoved c => defs with { Doors = [.. defs.Doors.Where(x => x.Id != c.DoorId)] },
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };

    private static List<T> Upsert<T>(IReadOnlyList<T> items, T item, Func<T, Guid> id)
    {
        var list = items.ToList();
        var at = list.FindIndex(x => id(x) == id(item));
        if (at >= 0) list[at] = item;
        else list.Add(item);
        return list;
    }
}
