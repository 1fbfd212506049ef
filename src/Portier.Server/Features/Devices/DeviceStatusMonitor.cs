using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// Records devices going offline: every 15 seconds on the injected clock, a device recorded online
/// whose last heartbeat is older than <see cref="DeviceOnline.Window"/> gets an offline status
/// change dated when its heartbeat went stale. (Coming online is recorded by the heartbeat itself.)
/// Runs on every server node without a lease: the change is taken by a conditional UPDATE, so one node
/// records and announces it.
/// </summary>
public sealed partial class DeviceStatusMonitor(
    IServiceScopeFactory scopes,
    DeviceOnline online,
    WebhookOutbox outbox,
    ILiveEventPublisher live,
    TimeProvider clock,
    ILogger<DeviceStatusMonitor> logger) : PeriodicWorker(logger)
{
    protected override TimeProvider Clock => clock;

    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(15);

    protected override TimeSpan Interval => CheckInterval;

    protected override TimeSpan FirstPassDelay => CheckInterval;

    protected override async Task<Instant?> RunPassAsync(CancellationToken ct)
    {
        await RecordOfflineAsync(ct);
        return null;
    }

    public async Task RecordOfflineAsync(CancellationToken ct)
    {
        var staleBefore = online.StaleBefore();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var stale = await db.Set<Device>().AsNoTracking()
            .Where(d => d.RecordedOnline && (d.LastHeartbeatAt == null || d.LastHeartbeatAt < staleBefore))
            .Select(d => new { d.Id, d.SiteId, d.DoorId, d.LastHeartbeatAt })
            .ToListAsync(ct);
        var offline = new List<Announcement>();
        foreach (var device in stale)
        {
            // Conditional on the same staleness, so a heartbeat arriving meanwhile wins.
            var changed = await db.Set<Device>()
                .Where(d => d.Id == device.Id && d.RecordedOnline && d.LastHeartbeatAt == device.LastHeartbeatAt)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.RecordedOnline, false), ct);
            if (changed == 0) continue;
            var at = device.LastHeartbeatAt is { } last ? last + DeviceOnline.Window : online.StaleBefore() + DeviceOnline.Window;
            db.Add(new DeviceStatusChange { DeviceId = device.Id, Online = false, At = at });
            offline.Add(DeviceStatusChange.Announce(device.SiteId,
                new DeviceStatusPayload(device.Id, device.DoorId, false, device.LastHeartbeatAt?.ToDateTimeOffset()), at));
            LogOffline(logger, device.Id);
        }
        await outbox.AddAsync(db, offline, ct);
        await db.SaveChangesAsync(ct);
        live.Publish(offline);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId} went offline (no heartbeat for five minutes)")]
    private static partial void LogOffline(ILogger logger, Guid deviceId);

}
