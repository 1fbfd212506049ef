using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Policy;
using Portier.Core.Schedules;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Passback;

/// <summary>
/// Forgives everyone in a zone at its nightly time, read on the site's wall clock (a time skipped by a DST
/// gap runs once, shifted forward; one repeated by an overlap runs once). Each zone remembers up to when
/// it was forgiven (<see cref="Zone.PassbackForgivenThrough"/>), moved by a conditional UPDATE, so a
/// restart catches up on a missed night exactly once and several nodes never forgive the same night twice.
/// </summary>
public sealed partial class NightlyForgiveness(
    IServiceScopeFactory scopes, PassbackForgiver forgiver, TimeProvider clock, ILogger<NightlyForgiveness> logger) : BackgroundService
{
    /// <summary>How often the zones are looked at: a nightly forgiveness runs within this of its time.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    await RunDueAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e);
                }
                await Task.Delay(Tick, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the next start catches up.
        }
    }

    /// <summary>Forgives every zone whose nightly time has come since it was last forgiven; returns how many zones.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var zones = await db.Set<Zone>().AsNoTracking().Where(z => z.PassbackForgiveAt != null)
            .Join(db.Set<Site>(), z => z.SiteId, s => s.Id, (z, s) => new { Zone = z, s.TimeZone })
            .ToListAsync(ct);
        var now = clock.GetCurrentInstant();
        var ran = 0;
        foreach (var due in zones)
        {
            var at = DailyTime.LastAtOrBefore(now, PassbackSettingsRequest.ParseTime(due.Zone.PassbackForgiveAt!), SiteTimeZones.Resolve(due.TimeZone));
            if (due.Zone.PassbackForgivenThrough >= at) continue;
            var claimed = await db.Set<Zone>()
                .Where(z => z.Id == due.Zone.Id && (z.PassbackForgivenThrough == null || z.PassbackForgivenThrough < at))
                .ExecuteUpdateAsync(s => s.SetProperty(z => z.PassbackForgivenThrough, now), ct);
            if (claimed == 0) continue;
            var record = await forgiver.ForgiveAsync(db, due.Zone, null, nightly: true, ct);
            LogForgiven(logger, due.Zone.Id, record.Forgiven);
            ran++;
        }
        return ran;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Nightly anti-passback forgiveness of zone {ZoneId}: {Count} presences reset")]
    private static partial void LogForgiven(ILogger logger, Guid zoneId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "The nightly anti-passback forgiveness failed; it is tried again within a minute")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
