using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Core.Devices;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>A controller's clock left the tolerance (<c>skewed</c>) or came back into it.</summary>
public sealed record DeviceClockPayload(Guid DeviceId, Guid? DoorId, bool Skewed, int OffsetSeconds, DateTimeOffset At);

/// <summary>
/// Compares each heartbeat's <c>sentAt</c> (the controller's clock) with the server's. A controller
/// more than <see cref="DevicesOptions.ClockSkewToleranceSeconds"/> off is flagged on its device and
/// announced once per episode (<c>device.clock_skewed</c>, live <c>DeviceClockChanged</c>); the flag
/// clears, announced as <c>device.clock_in_range</c>, at the first heartbeat back in range. A skewed
/// clock matters: the controller judges command deadlines and, offline, credential validity by it.
/// </summary>
public sealed class DeviceClock(IOptions<DevicesOptions> options)
{
    /// <summary>The controller's clock minus the server's, in whole seconds (clamped to the range of an int).</summary>
    public static int OffsetSeconds(HeartbeatMessage heartbeat, Instant now) =>
        (int)Math.Clamp(Math.Round((heartbeat.SentAt - now.ToDateTimeOffset()).TotalSeconds), int.MinValue, int.MaxValue);

    public bool IsSkewed(int offsetSeconds) => Math.Abs((long)offsetSeconds) > options.Value.ClockSkewToleranceSeconds;

    /// <summary>
    /// Within the heartbeat's transaction: starts or ends the device's skew episode when this heartbeat
    /// crosses the tolerance, adding the webhook event to <paramref name="db"/>. Returns the announcement
    /// to publish once committed, or null when nothing changed.
    /// </summary>
    public async Task<Announcement?> NoteAsync(PortierDbContext db, IQueryable<Device> device, int offsetSeconds, Instant now, WebhookOutbox outbox, CancellationToken ct)
    {
        var skewed = IsSkewed(offsetSeconds);
        var changed = skewed
            ? await device.Where(d => d.ClockSkewedSince == null).ExecuteUpdateAsync(s => s.SetProperty(d => d.ClockSkewedSince, now), ct)
            : await device.Where(d => d.ClockSkewedSince != null).ExecuteUpdateAsync(s => s.SetProperty(d => d.ClockSkewedSince, (Instant?)null), ct);
        if (changed == 0) return null;
        var placed = await device.Select(d => new { d.Id, d.SiteId, d.DoorId }).FirstAsync(ct);
        var announcement = new Announcement(LiveEventTypes.DeviceClockChanged,
            skewed ? WebhookEventTypes.DeviceClockSkewed : WebhookEventTypes.DeviceClockInRange, placed.SiteId, now,
            new DeviceClockPayload(placed.Id, placed.DoorId, skewed, offsetSeconds, now.ToDateTimeOffset()), placed.DoorId);
        await outbox.AddAsync(db, [announcement], ct);
        return announcement;
    }
}
