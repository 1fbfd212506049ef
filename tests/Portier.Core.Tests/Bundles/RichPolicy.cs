using System.Globalization;
using Portier.Core.Bundles;
using Portier.Core.Doors;
using Portier.Core.Calendars;

namespace Portier.Core.Tests.Bundles;

/// <summary>
/// A seeded policy that uses every part of the decision a bundle has to carry: two sites, scopes
/// and door overrides, zones with capacities and ticket types, every door direction and maintenance
/// mode, site and global people with kill switches and blocklists, cards and barcodes with validity
/// windows, use limits, revocations and invite constraints, grants of every shape, and qualifications
/// required by doors and scopes, held with starts and expiries inside the span.
/// </summary>
internal sealed class RichPolicy
{
    public static readonly byte[] Seed = [.. Enumerable.Range(1, BundleSigning.SeedBytes).Select(i => (byte)(i * 7))];
    public static readonly byte[] CredentialKey = [.. Enumerable.Range(1, CredentialHashing.KeyBytes).Select(i => (byte)(i * 3))];
    public static readonly Instant Start = Local(NewYork, 2025, 3, 5, 0, 0);
    /// <summary>Three weeks from <see cref="Start"/>: across the spring DST switch and many midnights.</summary>
    public static readonly Duration Span = Duration.FromDays(21);

    private static readonly string[] Types = ["Member", "Staff", "Guest"];
    private static readonly string[] Statuses = ["Active", "Current", "Expired"];
    private static readonly string[] Tags = ["staff", "cleaner", "vip", "night"];

    public required PolicyDefinitions Definitions { get; init; }
    public required Guid SiteId { get; init; }
    public required Guid[] Doors { get; init; }
    /// <summary>Every credential's value with its kind, including ones at the other site.</summary>
    public required (CredentialKind Kind, string Value)[] Presentable { get; init; }

    public static RichPolicy Create(int seed)
    {
        var random = new Random(seed);
        var site = Fixture.Id(1000);
        var other = Fixture.Id(1001);
        var hours = new WeeklyHours([.. Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None)
            .Select(d => new TimeBlock(d, new LocalTime(1, 30), d == IsoDayOfWeek.Sunday ? new LocalTime(3, 0) : new LocalTime(22, 0)))]);
        var night = new WeeklyHours([new TimeBlock(IsoDayOfWeek.Saturday, new LocalTime(20, 0), LocalTime.Midnight), new TimeBlock(IsoDayOfWeek.Sunday, LocalTime.Midnight, new LocalTime(4, 0))]);
        RuleSet Rules() => new(
            [new PersonTypeRule(Types[random.Next(Types.Length)], random.Next(2) == 0 ? [] : [Statuses[random.Next(Statuses.Length)]])],
            random.Next(2) == 0 ? [Tags[random.Next(Tags.Length)]] : [],
            random.Next(3) switch { 0 => WeeklyHours.Always, 1 => hours, _ => night }) { HolidaysApply = random.Next(4) != 0 };

        var qualifications = Enumerable.Range(0, 3).Select(i => new QualificationDefinition(Fixture.Id(1600 + i), $"Training {i}")).ToList();
        var scopes = Enumerable.Range(0, 6).Select(i => new ScopeDefinition(Fixture.Id(1100 + i), site)
        {
            RuleOverride = i % 3 == 0 ? Rules() : null,
            HolidaysApply = i != 4,
            RequiredQualificationIds = i == 1 ? [qualifications[0].Id] : [],
        }).ToList();
        var zones = new List<ZoneDefinition>
        {
            new(Fixture.Id(1200), site) { Capacity = 3 },
            new(Fixture.Id(1201), site) { RequiredPersonTypes = ["Member"], RequiredTags = ["vip"] },
            new(Fixture.Id(1202), site) { Capacity = 0 },
        };
        var doors = Enumerable.Range(0, 12).Select(i => new DoorDefinition(Fixture.Id(1300 + i), site)
        {
            ZoneId = i % 4 == 3 ? null : zones[i % 3].Id,
            Direction = (DoorDirection)(i % 3),
            BlockAllAccess = i == 5,
            Maintenance = i == 6 ? MaintenanceMode.ForceOpen : i == 7 ? MaintenanceMode.ForceClosed : MaintenanceMode.Normal,
            // Timed overrides whose ends fall inside the span the agreement tests sweep.
            Override = i switch
            {
                8 => new DoorOverride(DoorOverrideMode.ForceClosed, Start + Duration.FromDays(5)),
                9 => new DoorOverride(DoorOverrideMode.ForceOpen, Start + Duration.FromDays(2)),
                10 => new DoorOverride(DoorOverrideMode.Unlock, Start + Duration.FromDays(1)),
                _ => null,
            },
            RuleOverride = i % 5 == 1 ? Rules() : null,
            ScopeIds = [.. scopes.Where(_ => random.Next(3) == 0).Select(s => s.Id)],
            IsPointOfEntry = i % 2 == 0,
            HolidaysApply = i != 9,
            RequiredQualificationIds = i % 4 == 2 ? [qualifications[1].Id] : i == 11 ? [qualifications[0].Id, qualifications[2].Id] : [],
        }).ToList();
        doors.Add(new DoorDefinition(Fixture.Id(1399), other));

        var people = new List<PersonDefinition>();
        var credentials = new List<CredentialDefinition>();
        var grants = new List<GrantDefinition>();
        for (var p = 0; p < 120; p++)
        {
            var id = Fixture.Id(2000 + p);
            people.Add(new PersonDefinition(id, Types[random.Next(Types.Length)], Statuses[random.Next(Statuses.Length)])
            {
                SiteId = (p % 10) switch { 0 => other, 1 or 2 => null, _ => site },
                SyncedTags = random.Next(3) == 0 ? [Tags[random.Next(Tags.Length)]] : [],
                CustomTags = random.Next(5) == 0 ? [Tags[random.Next(Tags.Length)]] : [],
                AccessEnabled = p % 17 != 4,
                Blocklisted = p % 23 == 5,
                // Held qualifications whose starts and expiries fall inside the span the agreement tests sweep.
                Qualifications = [.. qualifications.Where(_ => random.Next(3) > 0).Select(q => new HeldQualification(q.Id,
                    random.Next(5) == 0 ? Start + Duration.FromHours(random.Next(0, 200)) : null,
                    random.Next(3) > 0 ? Start + Duration.FromHours(random.Next(201, 24 * 21)) : null))],
            });
            var kind = p % 6 == 0 ? CredentialKind.Barcode : CredentialKind.Card;
            var value = kind == CredentialKind.Card ? (0xA000 + p).ToString("X", CultureInfo.InvariantCulture) : $"bc-{p}";
            var from = Start + Duration.FromHours(random.Next(-48, 200));
            credentials.Add(new CredentialDefinition(Fixture.Id(3000 + p), id, kind, value)
            {
                ValidFrom = p % 4 == 0 ? from : null,
                ValidUntil = p % 4 == 0 ? from + Duration.FromDays(random.Next(1, 10)) : null,
                MaxUses = p % 9 == 0 ? random.Next(0, 3) : null,
                Revoked = p % 13 == 0,
                Invite = p % 11 == 0 ? (random.Next(2) == 0 ? InviteConstraints.AnyPointOfEntry : new([doors[0].Id, doors[4].Id])) : null,
            });
            if (p % 8 == 0) credentials.Add(new CredentialDefinition(Fixture.Id(4000 + p), id, CredentialKind.Pin, $"pin-hash-{p}"));
            if (p % 3 == 0)
            {
                grants.Add(new GrantDefinition(Fixture.Id(5000 + p), id, site)
                {
                    SiteWide = p % 9 == 0,
                    DoorIds = p % 2 == 0 ? [doors[random.Next(12)].Id] : [],
                    ScopeIds = p % 2 == 1 ? [scopes[random.Next(scopes.Count)].Id] : [],
                    Hours = random.Next(2) == 0 ? null : hours,
                    ValidFrom = p % 5 == 0 ? Start + Duration.FromDays(random.Next(0, 10)) : null,
                    ValidUntil = p % 5 == 0 ? Start + Duration.FromDays(random.Next(10, 20)) : null,
                    HolidaysApply = p % 4 != 0,
                });
            }
        }
        return new RichPolicy
        {
            Definitions = new PolicyDefinitions
            {
                Sites = [new SiteDefinition(site, "America/New_York", Rules()), new SiteDefinition(other, "Europe/Berlin", Rules())],
                Scopes = scopes,
                Zones = zones,
                Doors = doors,
                People = people,
                Credentials = credentials,
                Grants = grants,
                Calendars = Calendars(site, other),
                Qualifications = qualifications,
            },
            SiteId = site,
            Doors = [.. doors.Where(d => d.SiteId == site).Select(d => d.Id)],
            Presentable = [.. credentials.Where(c => c.Kind != CredentialKind.Pin).Select(c => (c.Kind, c.Value)), (CredentialKind.Card, "FFFF0001")],
        };
    }

    /// <summary>
    /// A shared calendar and one per site, within <see cref="Span"/>: a closed day on New York's spring DST
    /// switch, a yearly special-hours day, a closed range over two midnights, a special auto-unlock day, and
    /// a closed day at the other site that must not reach this one.
    /// </summary>
    private static IReadOnlyList<CalendarDefinition> Calendars(Guid site, Guid other)
    {
        static DayWindow Window(int start, int end) => new(new LocalTime(start, 0), new LocalTime(end, 0));
        return
        [
            new CalendarDefinition(Fixture.Id(1500), "Shared", null)
            {
                Entries =
                [
                    new(Fixture.Id(1510), "Switch day", new LocalDate(2025, 3, 9), new LocalDate(2025, 3, 9), CalendarDayEffect.Closed),
                    new(Fixture.Id(1511), "Yearly short day", new LocalDate(2019, 3, 14), new LocalDate(2019, 3, 14), CalendarDayEffect.SpecialHours)
                    {
                        Yearly = true,
                        Windows = [Window(10, 14), Window(20, 23)],
                    },
                ],
            },
            new CalendarDefinition(Fixture.Id(1501), "Site", site)
            {
                Entries =
                [
                    new(Fixture.Id(1520), "Closure", new LocalDate(2025, 3, 19), new LocalDate(2025, 3, 20), CalendarDayEffect.Closed),
                    new(Fixture.Id(1521), "Open day", new LocalDate(2025, 3, 22), new LocalDate(2025, 3, 22), CalendarDayEffect.SpecialAutoUnlock) { Windows = [Window(9, 12)] },
                ],
            },
            new CalendarDefinition(Fixture.Id(1502), "Other", other)
            {
                Entries = [new(Fixture.Id(1530), "Elsewhere", new LocalDate(2025, 3, 11), new LocalDate(2025, 3, 12), CalendarDayEffect.Closed)],
            },
        ];
    }

    /// <summary>A controller of this site serving the given doors.</summary>
    public ControllerBundleSpec Controller(int number, IEnumerable<Guid> doors, OfflineLiveFacts liveFacts = OfflineLiveFacts.CountLocally) =>
        new(SiteId, Fixture.Id(9000 + number), [.. doors.Select(d => new ControllerDoor(d, DoorFailMode.Secure, liveFacts, [new BundleReader("reader-1", "card", "entry")]))], 1440, CredentialKey);

    /// <summary>The controller's policy as it holds it after receiving its bundle over the wire.</summary>
    public static ControllerPolicy Receive(BundleBody body, ControllerPolicy? held = null)
    {
        var payload = BundleCodec.Encode(body, Seed);
        Assert.True(BundleCodec.TryDecode(payload, BundleSigning.PublicKeyOf(Seed), out var decoded, out var error), error);
        Assert.True(ControllerPolicy.TryApply(held, decoded, body.SiteId, body.DeviceId, out var policy, out error), error);
        return policy;
    }
}
