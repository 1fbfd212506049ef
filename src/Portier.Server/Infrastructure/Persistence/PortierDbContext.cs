using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// The one model. Each feature adds its mapping as an IEntityTypeConfiguration in its own folder;
/// the provider-specific subclasses only exist so each provider keeps its own migration set.
/// </summary>
public abstract class PortierDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PortierDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Instant>().HaveConversion<InstantConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }
}

public sealed class SqlitePortierDbContext(DbContextOptions<SqlitePortierDbContext> options) : PortierDbContext(options);

public sealed class PostgresPortierDbContext(DbContextOptions<PostgresPortierDbContext> options) : PortierDbContext(options);
