using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Portier.Server.Infrastructure.Persistence;

public static class PersistenceExtensions
{
    public static IServiceCollection AddPortierPersistence(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SqlitePragmas>();
        services.AddScoped<AuditInterceptor>();
        services.AddScoped<DefinitionChangeInterceptor>();
        services.AddSingleton<Features.Decisions.PolicySnapshotStore>();
        services.AddSingleton<Features.Doors.DoorDirectory>();
        services.AddDbContext<SqlitePortierDbContext>((sp, o) =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            o.UseSqlite(options.SqliteConnectionString())
             .AddInterceptors(sp.GetRequiredService<SqlitePragmas>(), sp.GetRequiredService<AuditInterceptor>(), sp.GetRequiredService<DefinitionChangeInterceptor>());
        });
        services.AddDbContext<PostgresPortierDbContext>((sp, o) =>
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
