using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Changes;

namespace Portier.Server.Infrastructure.Persistence;

public static class PersistenceExtensions
{
    public const int SqliteMaxBatchSize = 16;

    public static IServiceCollection AddPortierPersistence(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SqlitePragmas>();
        services.AddPortierChanges();
        services.AddSingleton<DefinitionChangeInterceptor>();
        services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<DefinitionChangeInterceptor>());
        // Contexts come from a pool with options built once: a new context per request or per scan
        // costs no set-up of EF Core's own services. Every interceptor is therefore one shared instance;
        // features add theirs as IInterceptor services.
        services.AddDbContextPool<SqlitePortierDbContext>((sp, o) =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            // SQLite binds each statement of a batch by looking up every parameter of the whole
            // command by name, so a batch costs the square of its size: small batches are faster.
            o.UseSqlite(options.SqliteConnectionString(), sqlite => sqlite.MaxBatchSize(SqliteMaxBatchSize))
             .AddInterceptors([sp.GetRequiredService<SqlitePragmas>(), .. sp.GetServices<IInterceptor>()])
             .ConfigureWarnings(SiteFilterWarnings);
        });
        services.AddDbContextPool<PostgresPortierDbContext>((sp, o) =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            o.UseNpgsql(options.PostgresConnectionString()).AddInterceptors(sp.GetServices<IInterceptor>()).ConfigureWarnings(SiteFilterWarnings);
        });
        services.AddScoped<PortierDbContext>(sp =>
        {
            PortierDbContext db = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider switch
            {
                DatabaseProvider.Postgres => sp.GetRequiredService<PostgresPortierDbContext>(),
                _ => sp.GetRequiredService<SqlitePortierDbContext>(),
            };
            // Set on every hand-out of a pooled context, so no scope ever sees the previous renter's sites.
            db.SiteAccess = sp.GetRequiredService<ISiteAccess>();
            return db;
        });
        services.AddScoped<DatabaseOnFirstUse>();
        return services;
    }

    /// <summary>
    /// A relationship between two site-owned entities joins rows of one site, which both ends' site
    /// filters admit or hide together, so EF Core's warning about filtered required ends does not apply.
    /// </summary>
    private static void SiteFilterWarnings(WarningsConfigurationBuilder warnings) =>
        warnings.Ignore(CoreEventId.PossibleIncorrectRequiredNavigationWithQueryFilterInteractionWarning);

    public static async Task MigratePortierDatabaseAsync(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart) return;
        await using var scope = app.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<PortierDbContext>().Database;
        // A migration may rewrite large tables and wait for another node's migration lock: the
        // bounds that keep API calls short do not apply to it.
        database.SetCommandTimeout(MigrationTimeout);
        if (database.IsNpgsql())
        {
            await CreateIfMissingAsync(database);
            await database.OpenConnectionAsync();
            await database.ExecuteSqlRawAsync("SET lock_timeout = 0");
            // Nodes starting together take turns: EF Core's own migration lock (a table lock per
            // migration's transaction) still let a second node apply a migration the first had just
            // applied. The session lock is held across the whole run, and released with the connection
            // if this process dies.
            await database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(" + MigrationLockKey + ")");
            try
            {
                await database.MigrateAsync();
            }
            finally
            {
                await database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(" + MigrationLockKey + ")");
                await database.ExecuteSqlRawAsync("RESET lock_timeout");
            }
            return;
        }
        await database.MigrateAsync();
    }

    /// <summary>
    /// The lock below needs the database to exist; a first start on an empty server creates it, as
    /// migrating alone would. Two nodes creating it at once: the one that loses finds it made.
    /// </summary>
    private static async Task CreateIfMissingAsync(DatabaseFacade database)
    {
        var creator = database.GetService<IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync()) return;
        try
        {
            await creator.CreateAsync();
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DuplicateDatabase)
        {
        }
    }

    private static readonly TimeSpan MigrationTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The advisory lock every node takes around its migrations: the bytes of "Portier" and 1 as a 64-bit key.</summary>
    private const string MigrationLockKey = "5795977089759146497";
}
