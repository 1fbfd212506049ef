using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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
/// every policy row read (SQLite), mapped, and compiled; with the time, what it allocates and the
/// process's peak memory while rebuilding.
/// </summary>
internal static class SnapshotRebuildBenchmark
{
    /// <param name="database">A folder that keeps the seeded database between runs: seeded once per size, then only
    /// read, so the process never holds the seeding's leftovers; null for a fresh temporary folder.</param>
    public static async Task<int> RunAsync(int peopleCount, string? database)
    {
        var seededMark = database is null ? null : Path.Combine(database, $"seeded-{peopleCount}");
        var reuse = seededMark is not null && File.Exists(seededMark);
        if (database is not null && !reuse)
        {
            // Another size's rows would be read too: a folder holds one seeded size.
            if (Directory.Exists(database)) Directory.Delete(database, recursive: true);
            Directory.CreateDirectory(database);
        }
        // The broker on a port of its own, so the benchmark runs beside another server on the machine.
        var settings = new Dictionary<string, string?> { ["Mqtt:Port"] = BenchServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (database is not null) settings["Database:DataFolder"] = database;
        var (server, _, _) = await BenchServer.StartAsync(settings);
        await using var _server = server;
        if (reuse) Console.WriteLine($"reading the database seeded earlier in {database}");
        else
        {
            Console.WriteLine($"seeding {peopleCount:N0} people with a card each, 500 doors, 50 scopes, a grant for every tenth person...");
            var seeded = Stopwatch.GetTimestamp();
            await SeedAsync(server.Services, peopleCount);
            Console.WriteLine($"seeded in {Stopwatch.GetElapsedTime(seeded).TotalSeconds:F1} s");
            if (seededMark is not null) await File.WriteAllTextAsync(seededMark, "");
        }

        // The peak counts the rebuilds only, not the seeding before them.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        ResetPeakWorkingSet();
        var baseline = PeakWorkingSet();
        var store = server.Services.GetRequiredService<PolicySnapshotStore>();
        var allocated = new List<long>();
        var (loadCpu, compileCpu) = (new List<double>(), new List<double>());
        var loads = new List<double>();
        var compiles = new List<double>();
        var rebuilds = new List<double>();
        for (var run = 0; run < 4; run++)
        {
            var measured = await LoadAndCompileAsync(server.Services, peopleCount);
            if (run > 0)
            {
                loads.Add(measured.Load);
                compiles.Add(measured.Compile);
                loadCpu.Add(measured.LoadCpu);
                compileCpu.Add(measured.CompileCpu);
                allocated.Add(measured.Allocated);
            }
            // The server's own path: a change marks the snapshot stale, the next decision rebuilds it.
            store.MarkChanged();
            var rebuildStarted = Stopwatch.GetTimestamp();
            await store.GetAsync(CancellationToken.None);
            if (run > 0) rebuilds.Add(Stopwatch.GetElapsedTime(rebuildStarted).TotalMilliseconds);
        }
        Console.WriteLine($"load from the database (median of 3): {Median(loads):F0} ms");
        Console.WriteLine($"compile (median of 3): {Median(compiles):F0} ms");
        // On a shared machine wall time waits for the other work; the process's CPU time much less so.
        Console.WriteLine($"process CPU time, load / compile (median of 3): {Median(loadCpu):F0} ms / {Median(compileCpu):F0} ms");
        Console.WriteLine($"PolicySnapshotStore rebuild, load + compile (median of 3): {Median(rebuilds):F0} ms");
        Console.WriteLine($"allocated per load + compile (median of 3): {Mb((long)Median([.. allocated.Select(a => (double)a)]))}");
        Console.WriteLine($"peak working set (VmHWM) during the rebuilds: {Mb(PeakWorkingSet())} (after seeding and a full collection: {Mb(baseline)})");
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        Console.WriteLine($"GC heap after the last rebuild: {Mb(gc.HeapSizeBytes)}, committed {Mb(gc.TotalCommittedBytes)}; " +
            $"with the previous snapshot collected: {Mb(GC.GetTotalMemory(forceFullCollection: true))}");
        if (peopleCount <= MaxReferencePeople) await MeasureReferenceAsync(server.Services);
        return 0;
    }

    private readonly record struct Measured(double Load, double Compile, double LoadCpu, double CompileCpu, long Allocated);

    /// <summary>
    /// One load and compile timed apart. A method of its own, so its definitions and snapshot are garbage once it
    /// returns: kept in the caller's state they would still be alive during the store's rebuild and count in its peak.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task<Measured> LoadAndCompileAsync(IServiceProvider services, int peopleCount)
    {
        await using var scope = services.CreateAsyncScope();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = ProcessCpu();
        var started = Stopwatch.GetTimestamp();
        var definitions = await PolicyDefinitionsLoader.LoadAsync(scope.ServiceProvider.GetRequiredService<PortierDbContext>(), CancellationToken.None);
        var loaded = Stopwatch.GetTimestamp();
        var cpuLoaded = ProcessCpu();
        var people = PolicySnapshot.Compile(definitions).PersonCount;
        var (compiled, cpuCompiled) = (Stopwatch.GetTimestamp(), ProcessCpu());
        if (people != peopleCount) throw new InvalidOperationException($"compiled {people} people");
        return new Measured(Stopwatch.GetElapsedTime(started, loaded).TotalMilliseconds, Stopwatch.GetElapsedTime(loaded, compiled).TotalMilliseconds,
            cpuLoaded - cpuBefore, cpuCompiled - cpuLoaded, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
    }

    /// <summary>Beyond this the entity-materializing reference takes gigabytes and many seconds, and is left out.</summary>
    private const int MaxReferencePeople = 200_000;

    /// <summary>The same load through EF Core entities, as the server loaded it before: the side-by-side reference.</summary>
    private static async Task MeasureReferenceAsync(IServiceProvider services)
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        ResetPeakWorkingSet();
        var (loads, cpu) = (new List<double>(), new List<double>());
        for (var run = 0; run < 4; run++)
        {
            await using var scope = services.CreateAsyncScope();
            var (started, cpuBefore) = (Stopwatch.GetTimestamp(), ProcessCpu());
            await Portier.Server.Tests.Persistence.EntityPolicyDefinitionsLoader.LoadAsync(scope.ServiceProvider.GetRequiredService<PortierDbContext>(), CancellationToken.None);
            if (run == 0) continue;
            loads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            cpu.Add(ProcessCpu() - cpuBefore);
        }
        Console.WriteLine($"reference, load through EF Core entities (median of 3): {Median(loads):F0} ms, process CPU time {Median(cpu):F0} ms, " +
            $"peak working set {Mb(PeakWorkingSet())}");
    }

    private static double ProcessCpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

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
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        db.AddRange([site, .. doors, .. scopes]);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        // A million rows through the change tracker would take minutes: one transaction of prepared
        // INSERTs, values bound as the model stores them on SQLite (ids as upper-case text, lists as JSON).
        var types = new[] { "Member", "Staff", "Contractor", "Guest" };
        var statuses = new[] { "Active", "Current", "Lapsed", "Suspended" };
        var tags = Enumerable.Range(0, 40).Select(t => $"[\"tag{t:00}\"]").ToArray();
        var scopeLists = scopes.Select(s => $"[\"{s.Id}\"]").ToArray();
        var siteId = Text(site.Id);
        await using var transaction = await db.Database.BeginTransactionAsync();
        var connection = db.Database.GetDbConnection();
        var person = Insert<Person>(db, connection, nameof(Person.Id), nameof(Person.SiteId), nameof(Person.Name), nameof(Person.PersonType),
            nameof(Person.MembershipStatus), nameof(Person.SyncedTags), nameof(Person.CustomTags), nameof(Person.AccessEnabled), nameof(Person.Blocklisted),
            nameof(Person.Source), nameof(Person.TrackSource), nameof(Person.CreatedAt), nameof(Person.UpdatedAt));
        var card = Insert<Credential>(db, connection, nameof(Credential.Id), nameof(Credential.SiteId), nameof(Credential.PersonId), nameof(Credential.Kind),
            nameof(Credential.Value), nameof(Credential.ActiveKey), nameof(Credential.UseCount), nameof(Credential.Revoked), nameof(Credential.CreatedAt));
        var grant = Insert<Grant>(db, connection, nameof(Grant.Id), nameof(Grant.SiteId), nameof(Grant.PersonId), nameof(Grant.SiteWide),
            nameof(Grant.DoorIds), nameof(Grant.ScopeIds), nameof(Grant.Hours), nameof(Grant.HolidaysApply), nameof(Grant.CreatedAt));
        for (var p = 0; p < peopleCount; p++)
        {
            var personId = Text(SequentialIds.Next());
            await Run(person, personId, siteId, $"Person {p}", types[p % types.Length], statuses[p / 4 % statuses.Length], tags[p % 40], "[]", 1, 0, "Manual", 1, 0L, 0L);
            var number = $"{p:X8}";
            await Run(card, Text(SequentialIds.Next()), siteId, personId, "Card", number, number, 0, 0, 0L);
            if (p % 10 == 0) await Run(grant, Text(SequentialIds.Next()), siteId, personId, 0, "[]", scopeLists[p / 10 % scopes.Count], "[]", 1, 0L);
        }
        await transaction.CommitAsync();
        // The rows go from the write-ahead log into the database file, where a reader finds them without the log's index.
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)");
    }

    private static string Text(Guid id) => id.ToString().ToUpperInvariant();

    private static System.Data.Common.DbCommand Insert<T>(PortierDbContext db, System.Data.Common.DbConnection connection, params string[] properties) where T : class
    {
        var table = StoreTable.Of<T>(db);
        var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        command.CommandText = "INSERT INTO " + table.Name + " (" + string.Join(", ", properties.Select(table.Column)) + ") VALUES ("
            + string.Join(", ", properties.Select((_, i) => "$p" + i)) + ")";
        for (var i = 0; i < properties.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "$p" + i;
            command.Parameters.Add(parameter);
        }
        command.Prepare();
        return command;
    }

    private static Task<int> Run(System.Data.Common.DbCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
        return command.ExecuteNonQueryAsync();
    }

    /// <summary>The process's peak resident memory since the last reset (VmHWM), in bytes.</summary>
    private static long PeakWorkingSet()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Starts a new peak: Linux resets VmHWM to the current resident size when "5" is written to clear_refs.</summary>
    private static void ResetPeakWorkingSet() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024):N0} MB";
}
