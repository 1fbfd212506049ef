using NodaTime;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Core.Schedules;

namespace Portier.Benchmarks;

/// <summary>
/// The shared decision workload's shape at any number of people, deterministic from a seed: the
/// same six person types, four statuses and twenty tags in the same proportions, one door per 20
/// people up to 500 doors and one per 200 beyond (10 per scope, each door in 1–3 scopes, 10% with
/// the staff-only override), 5% of people with 1–3 scope grants (business hours or the facility's),
/// one card per person, and UUIDv7-style ids. Queries are uniform over people, doors and 2025; one
/// in eight presents the person's card instead of the person id. The expected answers come from
/// <see cref="ReferenceEngine"/>, which decides on the string-id form of the same data.
/// </summary>
internal static class GeneratedWorkload
{
    private static readonly string[] Types = ["Member", "Staff", "Contractor", "Guest", "Student", "Volunteer"];
    private static readonly double[] TypeWeights = [0.5605, 0.0981, 0.0954, 0.0978, 0.0996, 0.0486];
    private static readonly string[] Statuses = ["Active", "Current", "Lapsed", "Suspended"];
    private static readonly double[] StatusWeights = [0.5097, 0.2073, 0.1904, 0.0926];
    private static readonly string[] Tags = ["staff", "cleaner", .. Enumerable.Range(2, 18).Select(i => $"tag{i:00}")];
    private const long QueryStart = 1_735_689_600; // 2025-01-01T00:00Z
    private const int QuerySpan = 31_536_000;      // one year of seconds
    private const string TimeZone = "America/New_York";

    public static (Workload Portier, ReferenceEngine Reference, ReferenceQueries Queries) Create(int people, int queries, int seed)
    {
        var random = new Random(seed);
        var doorCount = people <= 10_000 ? Math.Max(10, people / 20) : 500 + (people - 10_000) / 200;
        var scopeCount = Math.Max(1, doorCount / 10);
        var ids = new IdMaker(random);

        var facility = Weekly([(IsoDayOfWeek.Monday, IsoDayOfWeek.Friday, 360, 1320), (IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday, 480, 1200)]);
        var business = Weekly([(IsoDayOfWeek.Monday, IsoDayOfWeek.Friday, 540, 1020)]);
        var siteRules = new RuleSet([new PersonTypeRule("Member", ["Active", "Current"])], ["staff", "cleaner"], facility);
        var staffOnly = new RuleSet([], ["staff"], facility);
        var siteId = ids.Next();

        var reference = new ReferenceEngine(TimeZone, QueryStart, QuerySpan);
        var scopes = new List<ScopeDefinition>(scopeCount);
        for (var s = 0; s < scopeCount; s++) scopes.Add(new ScopeDefinition(ids.Next(), siteId));

        var doors = new List<DoorDefinition>(doorCount);
        for (var d = 0; d < doorCount; d++)
        {
            var groups = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => random.Next(scopeCount)).Distinct().ToArray();
            var isStaffOnly = random.NextDouble() < 0.1;
            doors.Add(new DoorDefinition(ids.Next(), siteId)
            {
                ScopeIds = [.. groups.Select(g => scopes[g].Id)],
                RuleOverride = isStaffOnly ? staffOnly : null,
            });
            reference.AddDoor($"d{d:D6}", [.. groups.Select(g => $"g{g:D5}")], isStaffOnly);
        }

        var personDefs = new List<PersonDefinition>(people);
        var grants = new List<GrantDefinition>(people / 10);
        var credentials = new List<CredentialDefinition>(people);
        var personIds = new Guid[people];
        var cards = new string[people];
        for (var p = 0; p < people; p++)
        {
            var type = Types[Pick(random, TypeWeights)];
            var status = Statuses[Pick(random, StatusWeights)];
            var tags = Tags.Where((_, t) => random.NextDouble() < (t == 0 ? 0.097 : t == 1 ? 0.037 : 0.086)).ToArray();
            var id = personIds[p] = ids.Next();
            personDefs.Add(new PersonDefinition(id, type, status) { SyncedTags = tags });
            // A bijection of the index (odd multiplier modulo 2^40): unique, yet not in order.
            cards[p] = ((ulong)p * 0x9E3779B97FUL & 0xFF_FFFF_FFFFUL).ToString("x10", System.Globalization.CultureInfo.InvariantCulture);
            credentials.Add(new CredentialDefinition(ids.Next(), id, CredentialKind.Card, cards[p]));
            var personGrants = new List<(string Group, bool Business)>();
            if (random.NextDouble() < 0.05)
            {
                var count = 1 + random.Next(3);
                for (var g = 0; g < count; g++)
                {
                    var group = random.Next(scopeCount);
                    var isBusiness = random.Next(2) == 0;
                    grants.Add(new GrantDefinition(ids.Next(), id, siteId) { ScopeIds = [scopes[group].Id], Hours = isBusiness ? business : facility });
                    personGrants.Add(($"g{group:D5}", isBusiness));
                }
            }
            reference.AddPerson($"p{p:D7}", type, status, tags, cards[p], personGrants);
        }

        var queryPerson = new int[queries];
        var queryDoor = new int[queries];
        var queryAt = new Instant[queries];
        var queryCard = new string?[queries];
        var seconds = new long[queries];
        for (var q = 0; q < queries; q++)
        {
            queryPerson[q] = random.Next(people);
            queryDoor[q] = random.Next(doorCount);
            seconds[q] = QueryStart + random.Next(QuerySpan);
            queryAt[q] = Instant.FromUnixTimeSeconds(seconds[q]);
            if (q % 8 == 7) queryCard[q] = cards[queryPerson[q]];
        }
        // Each query carries its own id strings, as a request off the wire would.
        var referenceQueries = new ReferenceQueries(
            [.. queryPerson.Select(p => $"p{p:D7}")], [.. queryDoor.Select(d => $"d{d:D6}")], seconds, queryCard);

        var expected = new char[queries];
        var allowed = 0;
        for (var q = 0; q < queries; q++)
        {
            var allow = referenceQueries.Decide(reference, q);
            expected[q] = allow ? '1' : '0';
            if (allow) allowed++;
        }

        var definitions = new PolicyDefinitions
        {
            Sites = [new SiteDefinition(siteId, TimeZone, siteRules)],
            Scopes = scopes,
            Doors = doors,
            People = personDefs,
            Grants = grants,
            Credentials = credentials,
        };
        var workload = new Workload
        {
            Definitions = definitions,
            PersonIds = personIds,
            DoorIds = [.. doors.Select(d => d.Id)],
            QueryPerson = queryPerson,
            QueryDoor = queryDoor,
            QueryAt = queryAt,
            QueryCard = queryCard,
            Expected = new string(expected),
            ExpectedAllowCount = allowed,
        };
        return (workload, reference, referenceQueries);
    }

    private static int Pick(Random random, double[] weights)
    {
        var x = random.NextDouble();
        for (var i = 0; i < weights.Length - 1; i++)
        {
            if (x < weights[i]) return i;
            x -= weights[i];
        }
        return weights.Length - 1;
    }

    private static WeeklyHours Weekly((IsoDayOfWeek From, IsoDayOfWeek To, int StartMinute, int EndMinute)[] windows)
    {
        var blocks = new List<TimeBlock>();
        foreach (var (from, to, start, end) in windows)
        {
            for (var day = from; day <= to; day++)
                blocks.Add(new TimeBlock(day, LocalTime.FromMinutesSinceMidnight(start), LocalTime.FromMinutesSinceMidnight(end)));
        }
        return new WeeklyHours(blocks);
    }

    /// <summary>UUIDv7-shaped ids: a rising millisecond timestamp, then random bits, as the server mints them.</summary>
    private sealed class IdMaker(Random random)
    {
        private long _milliseconds = 1_735_689_600_000;
        private readonly byte[] _bytes = new byte[16];

        public Guid Next()
        {
            _milliseconds += random.Next(3);
            var ms = _milliseconds;
            for (var i = 5; i >= 0; i--, ms >>= 8) _bytes[i] = (byte)ms;
            random.NextBytes(_bytes.AsSpan(6));
            _bytes[6] = (byte)(0x70 | (_bytes[6] & 0x0F));
            _bytes[8] = (byte)(0x80 | (_bytes[8] & 0x3F));
            return new Guid(_bytes, bigEndian: true);
        }
    }
}
