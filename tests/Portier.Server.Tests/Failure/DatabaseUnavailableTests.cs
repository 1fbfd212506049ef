using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Failure;

/// <summary>
/// A database that stops answering: readiness turns unhealthy within a second and back once it
/// answers again, and API calls answer 503 <c>database_unavailable</c> within the bound (2 s by
/// default) instead of a 500 half a minute later.
/// </summary>
public sealed class DatabaseUnavailableTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Readiness answers within the probe's second (and a little for the test host).</summary>
    private static readonly TimeSpan ReadinessBound = TimeSpan.FromSeconds(1.5);

    /// <summary>The 2 s default plus the test host's own overhead.</summary>
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(3.5);

    [Fact]
    public async Task Sqlite_FileLockedByAnotherConnection_ReadinessFailsAndWritesAnswer503_UntilReleased()
    {
        await using var server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite));
        var admin = server.Admin();
        await ExpectReadyAsync(server, HttpStatusCode.OK);

        // Another process's exclusive transaction: the server may still read (WAL) but not write.
        await using var other = new SqliteConnection($"Data Source={Path.Combine(server.DataFolder, "portier.db")};Pooling=False");
        await other.OpenAsync(Ct);
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync(Ct);
        }

        await ExpectReadyAsync(server, HttpStatusCode.ServiceUnavailable);
        await ExpectUnavailableAsync(() => admin.PostJsonAsync("/api/v1/sites", new { name = "Locked out", timeZone = "Europe/Berlin" }));

        await using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync(Ct);
        }
        await ExpectReadyAsync(server, HttpStatusCode.OK);
        await admin.CreateSiteAsync("Back again");
    }

    [Fact]
    public async Task Postgres_TableLockedByAnotherConnection_WritesAnswer503_UntilReleased()
    {
        await using var server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Postgres));
        var admin = server.Admin();
        await admin.CreateSiteAsync("Before the lock");
        var connectionString = server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Portier.Server.Infrastructure.Persistence.DatabaseOptions>>().Value.ConnectionString;

        await using var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await other.OpenAsync(Ct);
        await using var transaction = await other.BeginTransactionAsync(Ct);
        await using (var lockSites = new NpgsqlCommand("LOCK TABLE sites IN ACCESS EXCLUSIVE MODE", other, transaction))
            await lockSites.ExecuteNonQueryAsync(Ct);

        await ExpectUnavailableAsync(() => admin.PostJsonAsync("/api/v1/sites", new { name = "Locked out", timeZone = "Europe/Berlin" }));

        await transaction.RollbackAsync(Ct);
        await admin.CreateSiteAsync("After the lock");
    }

    [Fact]
    public async Task Postgres_Unreachable_ReadinessFailsAndCallsAnswer503_UntilReachableAgain()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Postgres);
        var direct = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var network = TcpRelay.Start(direct.Host!, direct.Port);
        var relayed = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = network.Port }.ConnectionString;
        await using var server = new PortierServer(database, PortierServer.WithSettings(new Dictionary<string, string?> { ["Database:ConnectionString"] = relayed }),
            ownsDatabase: false);
        var admin = server.Admin();
        await admin.CreateSiteAsync("Reachable");
        await ExpectReadyAsync(server, HttpStatusCode.OK);

        network.Cut();

        await ExpectReadyAsync(server, HttpStatusCode.ServiceUnavailable);
        await ExpectUnavailableAsync(() => admin.PostJsonAsync("/api/v1/sites", new { name = "Unreachable", timeZone = "Europe/Berlin" }));

        network.Restore();
        await ExpectReadyAsync(server, HttpStatusCode.OK);
        // Pooled connections the cut broke are each found out (and dropped) at their next use.
        await Portier.Server.Tests.Devices.DeviceKit.EventuallyAsync(async () =>
            (await admin.PostJsonAsync("/api/v1/sites", new { name = "Reachable again", timeZone = "Europe/Berlin" })).StatusCode == HttpStatusCode.Created,
            "writes work again once the database is reachable");
    }

    private static async Task ExpectReadyAsync(PortierServer server, HttpStatusCode expected)
    {
        var watch = Stopwatch.StartNew();
        var response = await server.Anonymous().GetAsync("/health/ready", Ct);
        Assert.Equal(expected, response.StatusCode);
        // Only the failing answer is bounded: a healthy one on a cold test host may take longer the first time.
        if (expected != HttpStatusCode.OK) Assert.True(watch.Elapsed < ReadinessBound, $"/health/ready answered {expected} after {watch.Elapsed}");
    }

    private static async Task ExpectUnavailableAsync(Func<Task<HttpResponseMessage>> call)
    {
        var watch = Stopwatch.StartNew();
        var response = await call();
        var elapsed = watch.Elapsed;
        await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "database_unavailable");
        Assert.True(elapsed < CallBound, $"answered after {elapsed}");
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
