using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// The one place controllers' readers are read: the door directory holds them per paired controller
/// (<see cref="DoorDirectorySnapshot.Controller"/> gives its <see cref="PairedController.Readers"/> and
/// the <see cref="PairedController.Doors"/> it serves), rebuilt when a reader, device or door changes.
/// Whatever else needs a controller's readers and doors (what is sent to a controller) takes them from
/// there, so that it and the scan path agree.
/// </summary>
public static class ControllerReaders
{
    /// <summary>The readers of every paired controller, by controller id.</summary>
    public static async Task<ILookup<Guid, ControllerReader>> OfPairedAsync(PortierDbContext db, CancellationToken ct) =>
        (await (from r in db.Set<Reader>().AsNoTracking()
                join d in db.Set<Device>() on r.DeviceId equals d.Id
                where d.State == DeviceState.Paired
                select new { r.DeviceId, r.ReaderId, r.DoorId, r.Kind, r.Direction }).ToListAsync(ct))
        .ToLookup(r => r.DeviceId, r => new ControllerReader(r.ReaderId, r.DoorId, r.Kind, r.Direction));
}
