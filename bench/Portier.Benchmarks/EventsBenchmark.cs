using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Events;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;
using Portier.Server.Features.People;
using Portier.Server.Features.Providers;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Benchmarks;

/// <summary>
/// Event access: pure planning of 10,000 sessions × 3 policies, the same plan materialized into a
/// SQLite database through the server's planning service, and the lateness (target time to
/// executed) of built-in grant tasks run by the server's task runner on the real clock while
/// another thread keeps adding sessions.
/// </summary>
internal static class EventsBenchmark
{
    private const int Sessions = 10_000;
    private const int Policies = 3;

    public static async Task<int> RunAsync()
    {
        PurePlanning();
        var folder = Directory.CreateTempSubdirectory("portier-bench-events-").FullName;
        try
        {
            await using var services = Services(folder);
            await using (var scope = services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Database.MigrateAsync();
            var seed = await SeedAsync(services);
            await MaterializeAsync(services, seed);
            return await LatenessAsync(services, seed);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void PurePlanning()
    {
        var now = Instant.FromUtc(2026, 3, 2, 9, 0);
        var sessions = Enumerable.Range(0, Sessions)
            .Select(i => new SessionPlan(Guid.NewGuid(), now + Duration.FromHours(2 + 6 * i), now + Duration.FromHours(4 + 6 * i), false, [])).ToList();
        var policies = Enumerable.Range(0, Policies).Select(i => new PolicyPlan(Guid.NewGuid(), new PolicyBuffers(30 * i, 15 * i), Guid.NewGuid(), null, true)).ToList();
        TaskPlanner.Plan(sessions, policies, [], now, AccessTaskRules.DefaultHorizon);
        var times = new List<double>();
        TaskPlan? plan = null;
        for (var i = 0; i < 5; i++)
        {
            var start = Stopwatch.GetTimestamp();
            plan = TaskPlanner.Plan(sessions, policies, [], now, AccessTaskRules.DefaultHorizon);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        var existing = plan!.Creates.Select(c => new ExistingTask(c.Id, c.SessionId, c.PolicyId, c.WindowId, c.Action, c.PersonId, c.Status, c.Target, c.Window, c.ZoneId, c.Tag, null, [])).ToList();
        var replan = Stopwatch.GetTimestamp();
        var again = TaskPlanner.Plan(sessions, policies, existing, now, AccessTaskRules.DefaultHorizon);
        Console.WriteLine($"plan (pure):        {Sessions:N0} sessions x {Policies} policies -> {plan.Creates.Count:N0} tasks in {times.Order().ElementAt(2):F1} ms (median of 5); re-plan with all tasks present: {Stopwatch.GetElapsedTime(replan).TotalMilliseconds:F1} ms, {again.Creates.Count + again.Retargets.Count} changes");
    }

    private sealed record Seed(Guid SiteId, Guid SeriesId, Guid LoadSeriesId, IReadOnlyList<Guid> Zones, IReadOnlyList<Guid> People);

    private static ServiceProvider Services(string folder)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:DataFolder"] = folder,
            ["EventAccess:RunnerEnabled"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUser>();
        services.AddPortierPersistence();
        // Re-planning announces its progress on the live stream, as in the server.
        services.AddLiveEvents();
        // Task results go to the webhook outbox in the task's transaction, as in the server (no endpoints here).
        services.AddSingleton<WebhookWakeup>();
        services.AddSingleton<WebhookOutbox>();
        services.AddEventAccess();
        return services.BuildServiceProvider();
    }

    private static async Task<Seed> SeedAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var site = new Site { Name = "Bench", TimeZone = "UTC" };
        db.Add(site);
        await db.SaveChangesAsync();
        var zones = new List<Guid>();
        for (var i = 0; i < Policies; i++)
        {
            var zone = new Portier.Server.Features.Zones.Zone { SiteId = site.Id, Name = $"Zone {i}", Slug = $"zone-{i}" };
            db.Add(zone);
            db.Add(new Portier.Server.Features.Doors.Door { SiteId = site.Id, Name = $"Door {i}", ZoneId = zone.Id });
        }
        var provider = new AccessProvider { SiteId = site.Id, Name = "Portier", Kind = ProviderKind.BuiltIn, Health = ProviderHealth.Healthy };
        db.Add(provider);
        await db.SaveChangesAsync();
        foreach (var (externalId, name) in await BuiltInProvider.ListZonesAsync(db, site.Id, default))
        {
            if (!externalId.StartsWith("zone:", StringComparison.Ordinal)) continue;
            var zone = new ProviderZone { ProviderId = provider.Id, ExternalId = externalId, Name = name };
            db.Add(zone);
            zones.Add(zone.Id);
        }
        var people = Enumerable.Range(0, 5).Select(i => new Person { SiteId = site.Id, Name = $"Attendee {i}", PersonType = "Attendee" }).ToList();
        db.AddRange(people);
        var series = new EventSeries { SiteId = site.Id, Name = "Big series" };
        var loadSeries = new EventSeries { SiteId = site.Id, Name = "Load" };
        db.AddRange(series, loadSeries);
        await db.SaveChangesAsync();
        return new Seed(site.Id, series.Id, loadSeries.Id, zones, people.Select(p => p.Id).ToList());
    }

    private static async Task MaterializeAsync(IServiceProvider services, Seed seed)
    {
        var now = TimeProvider.System.GetCurrentInstant();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            for (var i = 0; i < Sessions; i++)
                db.Add(new EventSession { SiteId = seed.SiteId, SeriesId = seed.SeriesId, StartsAt = now + Duration.FromDays(2) + Duration.FromHours(6 * i), EndsAt = now + Duration.FromDays(2) + Duration.FromHours(6 * i + 2) });
            foreach (var (zone, i) in seed.Zones.Select((z, i) => (z, i)))
                db.Add(new EventAccessPolicy { SiteId = seed.SiteId, SeriesId = seed.SeriesId, ProviderZoneId = zone, MinutesBefore = 30 * i, MinutesAfter = 15 * i });
            await db.SaveChangesAsync();
        }
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            var planning = scope.ServiceProvider.GetRequiredService<EventPlanning>();
            var start = Stopwatch.GetTimestamp();
            await planning.SaveAndReplanAsync(db, seed.SeriesId, default);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var count = await db.Set<AccessTask>().CountAsync(t => t.SeriesId == seed.SeriesId);
            Console.WriteLine($"plan + materialize: {Sessions:N0} sessions x {Policies} policies -> {count:N0} task rows on SQLite in {elapsed:F0} ms (load, plan, insert, one transaction)");
        }
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            var planning = scope.ServiceProvider.GetRequiredService<EventPlanning>();
            var start = Stopwatch.GetTimestamp();
            await planning.SaveAndReplanAsync(db, seed.SeriesId, default);
            Console.WriteLine($"re-plan unchanged:  {Stopwatch.GetElapsedTime(start).TotalMilliseconds:F0} ms");
        }
    }

    /// <summary>
    /// 300 sessions whose grants fall due over 20 seconds (900 grant tasks, 45 a second, 5 attendees
    /// each, so 4,500 temporary grants), run by the runner loop at its default poll interval, while a
    /// second thread adds a session with re-planning every 50 ms.
    /// </summary>
    private static async Task<int> LatenessAsync(IServiceProvider services, Seed seed)
    {
        const int sessions = 300;
        var spread = Duration.FromSeconds(20);
        var lead = Duration.FromSeconds(3);
        var now = TimeProvider.System.GetCurrentInstant();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            var series = new EventSeries { SiteId = seed.SiteId, Name = "Lateness" };
            db.Add(series);
            foreach (var person in seed.People) db.Add(new EventAttendee { SiteId = seed.SiteId, SeriesId = series.Id, PersonId = person });
            foreach (var zone in seed.Zones)
                db.Add(new EventAccessPolicy { SiteId = seed.SiteId, SeriesId = series.Id, ProviderZoneId = zone });
            for (var i = 0; i < sessions; i++)
            {
                var start = now + lead + spread * i / sessions;
                db.Add(new EventSession { SiteId = seed.SiteId, SeriesId = series.Id, StartsAt = start, EndsAt = start + Duration.FromHours(2) });
            }
            await scope.ServiceProvider.GetRequiredService<EventPlanning>().SaveAndReplanAsync(db, series.Id, default);
        }

        var runner = services.GetRequiredService<AccessTaskRunner>();
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EventAccessOptions>>().Value;
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            var added = 0;
            while (!stop.IsCancellationRequested)
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
                var at = TimeProvider.System.GetCurrentInstant() + Duration.FromDays(30 + added);
                db.Add(new EventSession { SiteId = seed.SiteId, SeriesId = seed.LoadSeriesId, StartsAt = at, EndsAt = at + Duration.FromHours(1) });
                await scope.ServiceProvider.GetRequiredService<EventPlanning>().SaveAndReplanAsync(db, seed.LoadSeriesId, default);
                added++;
                await Task.Delay(50);
            }
            return added;
        });
        var deadline = now + lead + spread + Duration.FromSeconds(5);
        while (TimeProvider.System.GetCurrentInstant() < deadline)
        {
            await runner.RunDueAsync(default);
            await Task.Delay(options.PollInterval);
        }
        await stop.CancelAsync();
        var loadSessions = await load;

        await using var read = services.CreateAsyncScope();
        var rows = await read.ServiceProvider.GetRequiredService<PortierDbContext>().Set<AccessTask>()
            .Where(t => t.Action == AccessTaskAction.Grant && t.SeriesId != seed.SeriesId && t.SeriesId != seed.LoadSeriesId)
            .Select(t => new { t.Status, t.TargetAt, t.ExecutedAt }).ToListAsync();
        var lateness = rows.Where(r => r.ExecutedAt is not null).Select(r => (r.ExecutedAt!.Value - r.TargetAt).TotalMilliseconds).Order().ToList();
        double Pct(double p) => lateness[Math.Min(lateness.Count - 1, (int)Math.Ceiling(p * lateness.Count) - 1)];
        Console.WriteLine($"lateness:           {lateness.Count:N0} of {rows.Count:N0} grant tasks executed ({rows.Count * seed.People.Count:N0} temporary grants) over {spread.TotalSeconds:F0} s, poll {options.PollInterval.TotalMilliseconds:F0} ms, {loadSessions} sessions added concurrently");
        Console.WriteLine($"lateness:           p50 {Pct(0.50):F0} ms, p99 {Pct(0.99):F0} ms, max {lateness[^1]:F0} ms (target p99 < 1000 ms)");
        return lateness.Count == rows.Count && Pct(0.99) < 1000 ? 0 : 1;
    }
}
