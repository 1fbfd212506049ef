using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Infrastructure.Changes;

/// <summary>
/// The net under a lost announcement (PostgreSQL only): every <see cref="ChangesOptions.VersionCheckSeconds"/>
/// the node reads the definition versions and marks stale the caches whose version moved past the one it
/// caught up with. It keeps running while the listening connection is down.
/// </summary>
public sealed class DefinitionVersionCheck(
    NodeChanges node,
    IServiceScopeFactory scopes,
    IOptions<DatabaseOptions> database,
    IOptions<ChangesOptions> options,
    TimeProvider clock,
    ILogger<DefinitionVersionCheck> logger) : PeriodicWorker(logger)
{
    protected override TimeProvider Clock => clock;

    protected override TimeSpan Interval => options.Value.VersionCheckInterval;

    protected override TimeSpan FirstPassDelay => Interval;

    protected override bool Enabled => database.Value.Provider == DatabaseProvider.Postgres;

    protected override async Task<Instant?> RunPassAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var versions = await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DefinitionVersion>().AsNoTracking().ToListAsync(ct);
        node.Checked(versions, clock.GetCurrentInstant());
        return null;
    }
}
