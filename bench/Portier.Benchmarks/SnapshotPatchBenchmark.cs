using System.Diagnostics;
using NodaTime;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Core.Schedules;

namespace Portier.Benchmarks;

/// <summary>
/// One change applied to a compiled snapshot (<see cref="PolicySnapshot.Apply"/>) against a full compile of the
/// same definitions: a person's status edited, a card revoked, a grant added and a door blocked, each many times in a
/// row on the snapshot the previous change produced, as the server applies them. In memory: no database.
/// </summary>
internal static class SnapshotPatchBenchmark
{
    private const int Doors = 500, Scopes = 50;

    public static int Run(int peopleCount, int changes)
    {
        var random = new Random(16);
        var defs = Definitions(peopleCount);
        Console.WriteLine($"{peopleCount:N0} people with a card each, {Doors} doors, {Scopes} scopes, {defs.Grants.Count:N0} grants; {changes:N0} changes of each kind");
        var compiles = new List<double>();
        var snapshot = PolicySnapshot.Compile(defs);
        for (var i = 0; i < 3; i++)
        {
            var started = Stopwatch.GetTimestamp();
            snapshot = PolicySnapshot.Compile(defs);
            compiles.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
        Console.WriteLine($"full compile (median of 3): {Median(compiles) / 1000:F1} ms");
        // The first patch builds the grant and credential id maps once; it is timed apart.
        var first = Stopwatch.GetTimestamp();
        snapshot = snapshot.Apply(new PersonChanged(defs.People[0])) ?? throw new InvalidOperationException("fell back");
        Console.WriteLine($"first patch after a full compile (builds the grant and credential id maps): {Stopwatch.GetElapsedTime(first).TotalMilliseconds:F1} ms");

        string[] statuses = ["Active", "Current", "Lapsed"];
        var grantNumber = 0;
        (string Name, Func<int, PolicyChange> Change)[] kinds =
        [
            ("person's status edited", i => new PersonChanged(defs.People[random.Next(peopleCount)] with { MembershipStatus = statuses[i % 3] })),
            ("credential revoked", i => new CredentialChanged(defs.Credentials[random.Next(peopleCount)] with { Revoked = true })),
            ("grant added", i => new GrantChanged(new GrantDefinition(Workload.Id(9, grantNumber++), Workload.Id(1, random.Next(peopleCount)), SiteId) { DoorIds = [Workload.Id(2, random.Next(Doors))] })),
            ("door blocked / unblocked", i => new DoorChanged(defs.Doors[random.Next(Doors)] with { BlockAllAccess = i % 2 == 0 })),
        ];
        foreach (var (name, change) in kinds)
        {
            var times = new double[changes];
            var fallbacks = 0;
            for (var i = 0; i < changes; i++)
            {
                var c = change(i);
                var started = Stopwatch.GetTimestamp();
                var patched = snapshot.Apply(c);
                times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                if (patched is null) fallbacks++;
                else snapshot = patched;
            }
            Array.Sort(times);
            Console.WriteLine($"{name,-26} median {times[changes / 2],8:F1} µs   p99 {times[changes * 99 / 100],8:F1} µs   max {times[^1],9:F1} µs   full compiles asked for: {fallbacks}");
        }
        return 0;
    }

    private static readonly Guid SiteId = Workload.Id(0, 0);

    private static PolicyDefinitions Definitions(int peopleCount)
    {
        var doors = Enumerable.Range(0, Doors).Select(d => new DoorDefinition(Workload.Id(2, d), SiteId) { ScopeIds = [Workload.Id(3, d / 10)] }).ToList();
        var people = Enumerable.Range(0, peopleCount).Select(p => new PersonDefinition(Workload.Id(1, p), p % 4 == 0 ? "Staff" : "Member", p % 3 == 0 ? "Lapsed" : "Current")
        {
            SyncedTags = p % 10 == 0 ? ["night"] : [],
        }).ToList();
        return new PolicyDefinitions
        {
            Sites = [new SiteDefinition(SiteId, "Europe/Berlin", new RuleSet([new PersonTypeRule("Member", ["Active", "Current"])], ["night"], WeeklyHours.Always))],
            Scopes = [.. Enumerable.Range(0, Scopes).Select(s => new ScopeDefinition(Workload.Id(3, s), SiteId))],
            Doors = doors,
            People = people,
            Credentials = [.. people.Select((p, i) => new CredentialDefinition(Workload.Id(4, i), p.Id, CredentialKind.Card, i.ToString("X8", System.Globalization.CultureInfo.InvariantCulture)))],
            Grants = [.. Enumerable.Range(0, peopleCount / 10).Select(g => new GrantDefinition(Workload.Id(5, g), Workload.Id(1, g * 10), SiteId) { ScopeIds = [Workload.Id(3, g % Scopes)], ValidUntil = Instant.FromUtc(2030, 1, 1, 0, 0) })],
        };
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
