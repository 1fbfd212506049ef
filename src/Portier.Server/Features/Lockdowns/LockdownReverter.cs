using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Lockdowns;

/// <summary>
/// Ends every active plan whose automatic revert time has come. The revert time is stored with the
/// plan's start (an instant, so a DST switch in the site's zone neither shortens nor lengthens it), so
/// a plan that should have ended while the server was down ends at the first pass after it starts.
/// With several server nodes, only the holder of the <see cref="LeaseName"/> lease ends plans, so a plan
/// ends (and is announced) once.
/// </summary>
public sealed class LockdownReverter(IServiceScopeFactory scopes, Leases leases, TimeProvider clock, ILogger<LockdownReverter> logger) : PeriodicWorker(logger)
{
    public const string LeaseName = "lockdown-revert";

    /// <summary>The actor recorded for an automatic revert.</summary>
    public const string Actor = "system:auto_revert";

    protected override TimeProvider Clock => clock;

    protected override TimeSpan Interval => TimeSpan.FromMinutes(1);

    protected override async Task<Instant?> RunPassAsync(CancellationToken ct) =>
        await leases.HoldAsync(LeaseName, ct) ? await RunDueAsync(ct) : null;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        leases.Want(LeaseName, Wake);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Ends the plans that are due; returns when the next one is.</summary>
    public async Task<Instant?> RunDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var control = scope.ServiceProvider.GetRequiredService<LockdownControl>();
        var now = clock.GetCurrentInstant();
        var timed = await db.Set<LockdownPlan>().Where(p => p.EndsAt != null).ToListAsync(ct);
        foreach (var plan in timed.Where(p => p.EndsAt <= now)) await control.EndAsync(plan, Actor, ct);
        return timed.Where(p => p.EndsAt > now).Select(p => p.EndsAt).Min();
    }
}
