using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// The one model. Each feature adds its mapping as an IEntityTypeConfiguration in its own folder;
/// the provider-specific subclasses only exist so each provider keeps its own migration set.
/// Every query of a site-owned entity is limited to the sites of <see cref="SiteAccess"/> (<see cref="SiteFilter"/>).
/// </summary>
public abstract class PortierDbContext(DbContextOptions options) : DbContext(options)
{
    private ISiteAccess? _siteAccess;

    /// <summary>
    /// Whose sites this context's queries see. Contexts are pooled, so it is set each time one is handed
    /// to a scope (<see cref="PersistenceExtensions.AddPortierPersistence"/>); a context made outside the
    /// pool sees every site.
    /// </summary>
    public ISiteAccess? SiteAccess
    {
        get => _siteAccess;
        set => _siteAccess = value;
    }

    /// <summary>Read by the site filter on every query.</summary>
    public bool SeesAllSites => _siteAccess?.VisibleSites is null;

    /// <summary>Read by the site filter on every query; empty when <see cref="SeesAllSites"/>.</summary>
    public IReadOnlyList<Guid> VisibleSiteIds => _siteAccess?.VisibleSites ?? [];

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PortierDbContext).Assembly);
        SiteFilter.Apply(modelBuilder, this);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Instant>().HaveConversion<InstantConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }
}

public sealed class SqlitePortierDbContext(DbContextOptions<SqlitePortierDbContext> options) : PortierDbContext(options);

public sealed class PostgresPortierDbContext(DbContextOptions<PostgresPortierDbContext> options) : PortierDbContext(options);
