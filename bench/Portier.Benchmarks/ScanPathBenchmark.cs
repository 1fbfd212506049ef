using Portier.Core.Decisions;
using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Benchmarks;

/// <summary>
/// The server-side cost of one card scan, step by step, in process (SQLite): the reads a scan makes
/// before deciding, and the group-committed write of its access event. Wall time and CPU time per
/// operation, so the figures say where a scan's time goes without MQTT or a simulator in the way.
/// </summary>
internal static class ScanPathBenchmark
{
    public static async Task<int> RunAsync(int operations, int writers)
    {
        var (server, _, admin) = await BenchServer.StartAsync(new Dictionary<string, string?>());
        await using var _server = server;
        using var _admin = admin;
        var (site, doorId) = await BenchServer.CreateSiteAndDoorAsync(admin);
        var device = await BenchServer.IdAsync(await admin.PostAsJsonAsync("/api/v1/devices", new { doorId, name = "Reader" }));
        var code = (await (await admin.PostAsJsonAsync($"/api/v1/devices/{device}/pairing-code", new { })).Content.ReadFromJsonAsync<PairingCodeResponse>())!.Code;
        (await admin.PostAsJsonAsync("/api/v1/devices/pair", new { pairingCode = code, deviceId = device, hardwareId = "bench" })).EnsureSuccessStatusCode();
        var person = await BenchServer.IdAsync(await admin.PostAsJsonAsync("/api/v1/people", new { siteId = site, name = "Member" }));
        (await admin.PostAsJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = "C0DE0001" })).EnsureSuccessStatusCode();

        var services = server.Services;
        var policySnapshot = await services.GetRequiredService<PolicySnapshotStore>().GetAsync(CancellationToken.None);
        var key = CredentialLookup.KeyFor(services.GetRequiredService<PinHasher>(), site, CredentialKind.Card, "C0DE0001")!;

        // Reference points: what SQLite itself costs, and what EF Core adds on top.
        var connectionString = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value.SqliteConnectionString();
        await MeasureAsync("SQLite: open a pooled connection", operations, async () =>
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
            await connection.OpenAsync();
            return 0;
        });
        await MeasureAsync("SQLite: open + read a device by id", operations, async () =>
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "select * from devices where Id = $id";
            command.Parameters.AddWithValue("$id", device);
            await using var reader = await command.ExecuteReaderAsync();
            return await reader.ReadAsync();
        });
        await MeasureAsync("EF Core: a scope and its context", operations, () => InScopeAsync(services, db => Task.FromResult(db.ContextId)));
        await MeasureAsync("EF Core: a device by id (a scan's first read before)", operations, () =>
            InScopeAsync(services, db => db.Set<Device>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == device && d.State == DeviceState.Paired)));
        await MeasureAsync("EF Core: a door by id (a scan's second read before)", operations, () =>
            InScopeAsync(services, db => db.Set<Door>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == doorId)));
        await MeasureAsync("a scan's reads now: door directory + live facts", operations, async () =>
        {
            await using var scope = services.CreateAsyncScope();
            var directory = services.GetRequiredService<DoorDirectory>();
            var current = (await directory.GetAsync(CancellationToken.None)).Door(doorId)!;
            return await LiveFactsReader.ReadAsync(scope.ServiceProvider.GetRequiredService<DatabaseOnFirstUse>(), policySnapshot, directory, current,
                CredentialKind.Card, key, CancellationToken.None);
        });

        var writer = services.GetRequiredService<AccessEventWriter>();
        var clock = services.GetRequiredService<TimeProvider>();
        var perWriter = operations / writers;
        await MeasureAsync($"access event append ({writers} concurrent callers, group commit)", perWriter * writers, async () =>
        {
            await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < perWriter; i++)
                    await writer.AppendAsync(new AccessEvent
                    {
                        SiteId = site, DoorId = doorId, PersonId = person, Method = AccessMethod.Scan, At = clock.GetCurrentInstant(),
                        Allowed = true, Reason = EventReason.Of(ReasonCode.Granted), Path = DecisionPath.Grant, Outcome = ActuationOutcome.Pending,
                    }, CancellationToken.None);
            })));
            return 0;
        }, repeat: false);
        return 0;
    }

    private static async Task<T> InScopeAsync<T>(IServiceProvider services, Func<PortierDbContext, Task<T>> read)
    {
        await using var scope = services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<PortierDbContext>());
    }

    private static async Task MeasureAsync<T>(string name, int operations, Func<Task<T>> operation, bool repeat = true)
    {
        if (repeat) for (var i = 0; i < 500; i++) await operation();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        if (repeat) for (var i = 0; i < operations; i++) await operation();
        else await operation();
        var wall = Stopwatch.GetElapsedTime(started);
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"{name,-62} {wall.TotalMicroseconds / operations,8:F1} µs wall  {cpuUsed.TotalMicroseconds / operations,8:F1} µs CPU  per operation ({operations:N0})");
    }
}
