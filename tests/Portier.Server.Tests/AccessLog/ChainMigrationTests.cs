using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
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

    /// <summary>
    /// Columns that later migrations add to the access log are not there yet: added for the rows to be written
    /// with today's model (all of them null), then dropped again, so the migrations after add them as they would.
    /// </summary>
    private static async Task<List<string>> AddLaterColumnsAsync(PortierDbContext db)
    {
        var present = await db.Database.SqlQueryRaw<string>(db.Database.IsSqlite()
            ? "SELECT name AS \"Value\" FROM pragma_table_info('access_events')"
            : "SELECT column_name AS \"Value\" FROM information_schema.columns WHERE table_name = 'access_events'").ToListAsync(Ct);
        var later = db.Model.GetRelationalModel().FindTable("access_events", null)!.Columns
            .Select(c => (c.Name, Type: c.StoreType))
            .Where(c => !present.Contains(c.Name, StringComparer.Ordinal)).ToList();
        foreach (var (name, type) in later) await AlterAsync(db, $"ADD COLUMN \"{name}\" {type} NULL");
        return [.. later.Select(c => c.Name)];
    }

    /// <summary>Names come from the model, never from input.</summary>
    private static Task<int> AlterAsync(PortierDbContext db, string change)
    {
        var sql = "ALTER TABLE access_events " + change;
        return db.Database.ExecuteSqlRawAsync(sql, Ct);
    }

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
            var later = await AddLaterColumnsAsync(db);
            await db.AppendRowsAsync(events, Ct);
            foreach (var column in later) await AlterAsync(db, $"DROP COLUMN \"{column}\"");
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
}
