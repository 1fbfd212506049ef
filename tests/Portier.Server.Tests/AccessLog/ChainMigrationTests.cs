using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.AccessLog;

/// <summary>Chains written before heads were kept get their heads from the migration that adds them, and keep verifying.</summary>
public sealed class ChainMigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PortierDbContext Open(TestDatabase database) => database.Kind switch
    {
        DatabaseKind.Sqlite => new SqlitePortierDbContext(new DbContextOptionsBuilder<SqlitePortierDbContext>().UseSqlite(database.ConnectionString).Options),
        DatabaseKind.Postgres => new PostgresPortierDbContext(new DbContextOptionsBuilder<PostgresPortierDbContext>().UseNpgsql(database.ConnectionString).Options),
        _ => throw new ArgumentOutOfRangeException(nameof(database)),
    };

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task ChainMigration_BackfillsEachSitesHeadFromItsNewestEvent(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind);
        await using var db = Open(database);
        var migrations = db.Database.GetMigrations().ToList();
        var chain = migrations.FindIndex(m => m.EndsWith("_Chain", StringComparison.Ordinal));
        Assert.True(chain > 0, "the migration adding chain heads is named Chain");
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(migrations[chain - 1], Ct);

        // Two sites' chains as the writer stored them before heads were kept.
        var sites = new[] { Guid.NewGuid(), Guid.NewGuid() };
        var events = new List<AccessEvent>();
        await using (var transaction = await db.Database.BeginTransactionAsync(Ct))
        {
            foreach (var (site, count) in sites.Zip([3, 5]))
            {
                var previous = AccessEventChain.Genesis;
                for (var i = 1; i <= count; i++)
                {
                    var e = new AccessEvent
                    {
                        SiteId = site, DoorId = Guid.NewGuid(), Method = AccessMethod.Scan, At = Instant.FromUnixTimeSeconds(1_772_442_000 + i),
                        Allowed = false, Reason = EventReason.Of(ReasonCode.InvalidCredential), Path = DecisionPath.None, Outcome = ActuationOutcome.NotSent,
                        Sequence = i,
                    };
                    e.Hash = AccessEventChain.Compute(e, previous);
                    previous = e.Hash;
                    events.Add(e);
                }
            }
            await InsertWithTheColumnsOfTheTimeAsync(db, events);
            await transaction.CommitAsync(Ct);
        }

        await migrator.MigrateAsync(cancellationToken: Ct);

        foreach (var (site, count) in sites.Zip([3, 5]))
        {
            var result = await AccessLogVerifier.VerifyAsync(db, site, Ct);
            Assert.True(result.Intact);
            Assert.Equal(count, result.Checked);
            Assert.Equal(new ChainHeadResponse(count, events.Last(e => e.SiteId == site).Hash), result.Head);
        }
    }

    /// <summary>
    /// Inserts the rows with only the columns the table has at this point of its history: columns added
    /// by later migrations are not there yet (and get their defaults when those migrations run).
    /// </summary>
    private static async Task InsertWithTheColumnsOfTheTimeAsync(PortierDbContext db, IReadOnlyList<AccessEvent> events)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using (var columns = connection.CreateCommand())
        {
            columns.Transaction = transaction;
            columns.CommandText = db.Database.IsSqlite()
                ? "SELECT name FROM pragma_table_info('access_events')"
                : "SELECT column_name FROM information_schema.columns WHERE table_name = 'access_events'";
            await using var reader = await columns.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct)) existing.Add(reader.GetString(0));
        }
        var entity = db.Model.FindEntityType(typeof(AccessEvent))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().Where(p => existing.Contains(p.GetColumnName(table)!)).ToList();
        foreach (var e in events)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO access_events (" + string.Join(", ", properties.Select(p => "\"" + p.GetColumnName(table) + "\""))
                + ") VALUES (" + string.Join(", ", properties.Select((_, i) => "@p" + i)) + ")";
            for (var i = 0; i < properties.Count; i++)
                insert.Parameters.Add(((RelationalTypeMapping)properties[i].GetRelationalTypeMapping())
                    .CreateParameter(insert, "@p" + i, properties[i].GetGetter().GetClrValueUsingContainingEntity(e), properties[i].IsNullable));
            await insert.ExecuteNonQueryAsync(Ct);
        }
    }
}
