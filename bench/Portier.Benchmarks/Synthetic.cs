using NodaTime;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Core.Schedules;

namespace Portier.Benchmarks;

/// <summary>A larger, seeded installation to time snapshot rebuilds: two sites, scopes, zones, grants and a card per person.</summary>
internal static class Synthetic
{
    public static PolicyDefinitions Definitions(int peopleCount)
    {
        var random = new Random(20251123);
        var types = new[] { "Member", "Staff", "Contractor", "Guest", "Student", "Volunteer" };
        var statuses = new[] { "Active", "Current", "Lapsed", "Suspended" };
        var tags = Enumerable.Range(0, 40).Select(i => $"tag{i:00}").ToArray();
        var hours = new WeeklyHours([.. Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None)
            .Select(d => new TimeBlock(d, new LocalTime(6, 0), new LocalTime(22, 0)))]);
        var rules = new RuleSet([new PersonTypeRule("Member", ["Active", "Current"])], ["tag00", "tag01"], hours);

        var sites = new[]
        {
            new SiteDefinition(Workload.Id(11, 0), "America/New_York", rules),
            new SiteDefinition(Workload.Id(11, 1), "Europe/Berlin", rules),
        };
        var scopes = Enumerable.Range(0, 200).Select(i => new ScopeDefinition(Workload.Id(12, i), sites[i % 2].Id)
        {
            RuleOverride = i % 10 == 0 ? new RuleSet([], ["tag00"], hours) : null,
        }).ToList();
        var zones = Enumerable.Range(0, 20).Select(i => new ZoneDefinition(Workload.Id(13, i), sites[i % 2].Id) { Capacity = 100 + i }).ToList();
        var doors = Enumerable.Range(0, 2_000).Select(i => new DoorDefinition(Workload.Id(14, i), sites[i % 2].Id)
        {
            ZoneId = zones[(i % 10) * 2 + i % 2].Id,
            ScopeIds = [scopes[(random.Next(100) * 2) + i % 2].Id, scopes[(random.Next(100) * 2) + i % 2].Id],
            Direction = (DoorDirection)(i % 3),
        }).ToList();

        var people = new List<PersonDefinition>(peopleCount);
        var grants = new List<GrantDefinition>();
        var credentials = new List<CredentialDefinition>(peopleCount);
        for (var p = 0; p < peopleCount; p++)
        {
            var id = Workload.Id(15, p);
            people.Add(new PersonDefinition(id, types[random.Next(types.Length)], statuses[random.Next(statuses.Length)])
            {
                SyncedTags = [tags[random.Next(tags.Length)], tags[random.Next(tags.Length)]],
                CustomTags = p % 7 == 0 ? [tags[random.Next(tags.Length)]] : [],
            });
            credentials.Add(new CredentialDefinition(Workload.Id(16, p), id, CredentialKind.Card, $"card-{p:D8}"));
            if (p % 10 == 0)
            {
                var site = p % 20 == 0 ? 0 : 1;
                grants.Add(new GrantDefinition(Workload.Id(17, grants.Count), id, sites[site].Id)
                {
                    ScopeIds = [scopes[random.Next(100) * 2 + site].Id],
                    Hours = p % 30 == 0 ? hours : null,
                });
            }
        }
        return new PolicyDefinitions
        {
            Sites = sites,
            Scopes = scopes,
            Zones = zones,
            Doors = doors,
            People = people,
            Grants = grants,
            Credentials = credentials,
        };
    }
}
