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
    /// <summary>
    /// Every paired controller (or only <paramref name="deviceId"/>) with the doors and readers it serves,
    /// as the scan path places scans (<see cref="PairedController.Place"/>): its default door first, then
    /// its readers' doors, each with the readers registered at it. A controller without registered readers
    /// carries none, and decides at its default door with the door's own direction, as the server does.
    /// </summary>
    public static async Task<List<ControllerLayout>> LoadAsync(PortierDbContext db, Guid? deviceId, CancellationToken ct)
    {
        var devices = db.Set<Device>().AsNoTracking().Where(d => d.State == DeviceState.Paired);
        if (deviceId is { } only) devices = devices.Where(d => d.Id == only);
        var controllers = await (
            from device in devices
            join site in db.Set<Site>().AsNoTracking() on device.SiteId equals site.Id
            select new { device.Id, device.SiteId, device.DoorId, device.RecordedOnline, site.OfflineHorizonMinutes })
            .ToListAsync(ct);
        var readers = await ControllerReaders.OfPairedAsync(db, ct);
        var doors = await db.Set<Door>().AsNoTracking()
            .Select(d => new { d.Id, d.SiteId, d.FailMode, d.OfflineLiveFacts })
            .ToDictionaryAsync(d => d.Id, ct);

        var layouts = new List<ControllerLayout>();
        foreach (var c in controllers)
        {
            var own = readers[c.Id].ToList();
            var served = (c.DoorId is { } home ? [home] : Array.Empty<Guid>()).Concat(own.Select(r => r.DoorId)).Distinct()
                .Where(id => doors.TryGetValue(id, out var door) && door.SiteId == c.SiteId)
                .Select(id => new ControllerDoor(id, doors[id].FailMode, doors[id].OfflineLiveFacts,
                    [.. own.Where(r => r.DoorId == id).Select(r => new BundleReader(r.ReaderId, KindName(r.Kind), DirectionName(r.Direction)))]))
                .ToList();
            if (served.Count > 0) layouts.Add(new ControllerLayout(c.Id, c.SiteId, c.RecordedOnline, served, c.OfflineHorizonMinutes));
        }
        return layouts;
    }

    private static string KindName(ReaderKind kind) => kind switch
    {
        ReaderKind.Card => "card",
        ReaderKind.Keypad => "keypad",
        ReaderKind.Qr => "qr",
        ReaderKind.Combined => "combined",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static string DirectionName(ReaderDirection direction) => direction switch
    {
        ReaderDirection.Entry => "entry",
        ReaderDirection.Exit => "exit",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, null),
    };
}
