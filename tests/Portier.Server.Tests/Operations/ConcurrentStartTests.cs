using System.Net;
using Npgsql;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Operations;

/// <summary>
/// Two nodes started together on one empty PostgreSQL database: one applies the migrations while the
/// other waits on the migration advisory lock, then finds nothing left to do. (EF Core's own lock, taken
/// per migration's transaction, let the second node apply a migration again: "column already exists".)
/// </summary>
public sealed class ConcurrentStartTests
{
    [Fact]
    public async Task TwoNodesStartTogether_OnAnEmptyDatabase_BothServe_EachMigrationAppliedOnce()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Postgres);
        await using var first = new PortierServer(database, ownsDatabase: false);
        await using var second = new PortierServer(database, ownsDatabase: false);

        await Task.WhenAll(Task.Run(() => _ = first.Server), Task.Run(() => _ = second.Server));

        foreach (var node in new[] { first, second })
        {
            var ready = await node.Anonymous().GetAsync("/health/ready", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            await (await node.Admin().PostJsonAsync("/api/v1/sites", new { name = "Node site " + Guid.NewGuid().ToString("N")[..6], timeZone = "Europe/Berlin" }))
                .ExpectAsync(HttpStatusCode.Created);
        }
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var duplicates = new NpgsqlCommand(
            """SELECT count(*) - count(DISTINCT "MigrationId") FROM "__EFMigrationsHistory" """, connection);
        Assert.Equal(0L, await duplicates.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }
}
