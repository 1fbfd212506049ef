using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Portier.Server.Infrastructure.Persistence;

public static class PersistenceExtensions
{
    public const int SqliteMaxBatchSize = 16;

    public static IServiceCollection AddPortierPersistence(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SqlitePragmas>();
        services.AddSingleton<AuditInterceptor>();
        services.AddSingleton<DefinitionChangeInterceptor>();
        services.AddSingleton<Features.Decisions.PolicySnapshotStore>();
        services.AddSingleton<Features.Doors.DoorDirectory>();
        // Contexts come from a pool with options built once: a new context per request or per scan
        // costs no set-up of EF Core's own services. Every interceptor is therefore one shared instance.
        services.AddDbContextPool<SqlitePortierDbContext>((sp, o) =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            // SQLite binds each statement of a batch by looking up every parameter of the whole
            // command by name, so a batch costs the square of its size: small batches are faster.
            o.UseSqlite(options.SqliteConnectionString(), sqlite => sqlite.MaxBatchSize(SqliteMaxBatchSize))
             .AddInterceptors(sp.GetRequiredService<SqlitePragmas>(), sp.GetRequiredService<AuditInterceptor>(), sp.GetRequiredService<DefinitionChangeInterceptor>());
        });
        services.AddDbContextPool<PostgresPortierDbContext>((sp, o) =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            o.UseNpgsql(options.ConnectionString).AddInterceptors(sp.GetRequiredService<AuditInterceptor>(), sp.GetRequiredService<DefinitionChangeInterceptor>());
        });
        services.AddScoped<PortierDbContext>(sp =>
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider switch
            {
                DatabaseProvider.Postgres => sp.GetRequiredService<PostgresPortierDbContext>(),
                _ => sp.GetRequiredService<SqlitePortierDbContext>(),
            });
        return services;
    }

    public static async Task MigratePortierDatabaseAsync(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart) return;
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Database.MigrateAsync();
    }
}
