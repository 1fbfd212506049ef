using Microsoft.EntityFrameworkCore;
using Portier.Core.Bundles;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Bundles;

/// <summary>A paired controller as its bundle sees it: its site, its doors with their readers, and the site's horizon.</summary>
public sealed record ControllerLayout(Guid DeviceId, Guid SiteId, bool Online, IReadOnlyList<ControllerDoor> Doors, int OfflineHorizonMinutes);

public static class ControllerLayouts
{
    /// <summary>The one reader a controller has while it drives one door: a card reader facing the door's way.</summary>
    public const string DefaultReaderId = "reader-1";

    /// <summary>
    /// Every paired controller (or only <paramref name="deviceId"/>) with the doors and readers it serves:
    /// the one place that knows how controllers, doors and readers hang together.
    /// </summary>
    public static async Task<List<ControllerLayout>> LoadAsync(PortierDbContext db, Guid? deviceId, CancellationToken ct)
    {
        var devices = db.Set<Device>().AsNoTracking().Where(d => d.State == DeviceState.Paired && d.DoorId != null);
        if (deviceId is { } only) devices = devices.Where(d => d.Id == only);
        var rows = await (
            from device in devices
            join door in db.Set<Door>().AsNoTracking() on device.DoorId equals door.Id
            join site in db.Set<Site>().AsNoTracking() on device.SiteId equals site.Id
            select new { device.Id, device.SiteId, device.RecordedOnline, DoorId = door.Id, door.Direction, door.FailMode, door.OfflineLiveFacts, site.OfflineHorizonMinutes })
            .ToListAsync(ct);
        return [.. rows.Select(r => new ControllerLayout(r.Id, r.SiteId, r.RecordedOnline,
            [new ControllerDoor(r.DoorId, r.FailMode, r.OfflineLiveFacts, [new BundleReader(DefaultReaderId, "card", BundleNames.Of(r.Direction))])],
            r.OfflineHorizonMinutes))];
    }
}
