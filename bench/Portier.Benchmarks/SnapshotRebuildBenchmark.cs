using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Grants;
using Portier.Server.Features.People;
using Portier.Server.Features.Rules;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Benchmarks;

/// <summary>
/// Rebuilding the policy snapshot from the database, as the server does after a policy change:
/// every policy row read through EF Core (SQLite), mapped, and compiled.
/// </summary>
internal static class SnapshotRebuildBenchmark
{
    public static async Task<int> RunAsync(int peopleCount)
    {
        var (server, _, _) = await BenchServer.StartAsync(new Dictionary<string, string?>());
        await using var _server = server;
        Console.WriteLine($"seeding {peopleCount:N0} people with a card each, 500 doors, 50 scopes, a grant for every tenth person...");
        var seeded = Stopwatch.GetTimestamp();
        await SeedAsync(server.Services, peopleCount);
        Console.WriteLine($"seeded in {Stopwatch.GetElapsedTime(seeded).TotalSeconds:F1} s");

        var store = server.Services.GetRequiredService<PolicySnapshotStore>();
        var loads = new List<double>();
        var compiles = new List<double>();
        var rebuilds = new List<double>();
        for (var run = 0; run < 4; run++)
        {
            await using (var scope = server.Services.CreateAsyncScope())
            {
                var started = Stopwatch.GetTimestamp();
                var definitions = await PolicyDefinitionsLoader.LoadAsync(scope.ServiceProvider.GetRequiredService<PortierDbContext>(), CancellationToken.None);
                var loaded = Stopwatch.GetTimestamp();
                var snapshot = PolicySnapshot.Compile(definitions);
                if (snapshot.PersonCount != peopleCount) throw new InvalidOperationException($"compiled {snapshot.PersonCount} people");
                if (run > 0)
                {
                    loads.Add(Stopwatch.GetElapsedTime(started, loaded).TotalMilliseconds);
                    compiles.Add(Stopwatch.GetElapsedTime(loaded).TotalMilliseconds);
                }
            }
            // The server's own path: a change marks the snapshot stale, the next decision rebuilds it.
            store.MarkChanged();
            var rebuildStarted = Stopwatch.GetTimestamp();
            await store.GetAsync(CancellationToken.None);
            if (run > 0) rebuilds.Add(Stopwatch.GetElapsedTime(rebuildStarted).TotalMilliseconds);
        }
        Console.WriteLine($"load from the database (median of 3): {Median(loads):F0} ms");
        Console.WriteLine($"compile (median of 3): {Median(compiles):F0} ms");
        Console.WriteLine($"PolicySnapshotStore rebuild, load + compile (median of 3): {Median(rebuilds):F0} ms");
        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task SeedAsync(IServiceProvider services, int peopleCount)
    {
        var site = new Site
        {
            Name = "Rebuild", TimeZone = "Europe/Berlin",
            Rules = new AccessRulesData([new PersonTypeRuleData("Member", ["Active", "Current"])], ["tag00"], []),
        };
        var doors = Enumerable.Range(0, 500).Select(i => new Door { SiteId = site.Id, Name = $"Door {i}" }).ToList();
        var scopes = Enumerable.Range(0, 50).Select(i => new AccessScope
        {
            SiteId = site.Id, Name = $"Scope {i}", DoorIds = [.. doors.Skip(i * 10).Take(10).Select(d => d.Id)],
        }).ToList();
        await SaveAsync(services, [site, .. doors, .. scopes]);

        var types = new[] { "Member", "Staff", "Contractor", "Guest" };
        var statuses = new[] { "Active", "Current", "Lapsed", "Suspended" };
        for (var start = 0; start < peopleCount; start += 10_000)
        {
            var rows = new List<object>();
            for (var p = start; p < Math.Min(start + 10_000, peopleCount); p++)
            {
                var person = new Person
                {
                    SiteId = site.Id, Name = $"Person {p}", PersonType = types[p % types.Length], MembershipStatus = statuses[p / 4 % statuses.Length],
                    SyncedTags = [$"tag{p % 40:00}"],
                };
                var card = $"{p:X8}";
                rows.Add(person);
                rows.Add(new Credential { SiteId = site.Id, PersonId = person.Id, Kind = CredentialKind.Card, Value = card, ActiveKey = card });
                if (p % 10 == 0) rows.Add(new Grant { SiteId = site.Id, PersonId = person.Id, ScopeIds = [scopes[p / 10 % scopes.Count].Id] });
            }
            await SaveAsync(services, rows);
        }
    }

    private static async Task SaveAsync(IServiceProvider services, List<object> rows)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.AddRange(rows);
        await db.SaveChangesAsync();
    }
}
