using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>A reader to add to a controller, or its new settings. Kind defaults to card, direction to entry.</summary>
public sealed record ReaderRequest(string ReaderId, Guid DoorId, ReaderKind Kind = ReaderKind.Card, ReaderDirection Direction = ReaderDirection.Entry) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(Reader.IsValidReaderId(ReaderId), "readerId", $"Must be 1 to {Reader.MaxReaderIdLength} characters, without leading or trailing blanks, control characters or '/'.");
        errors.Require(DoorId != Guid.Empty, "doorId", "Is required.");
        errors.Require(Enum.IsDefined(Kind), "kind", "Must be card, keypad, qr or combined.");
        errors.Require(Enum.IsDefined(Direction), "direction", "Must be entry or exit.");
    }

    public void ApplyTo(Reader reader)
    {
        reader.ReaderId = ReaderId;
        reader.DoorId = DoorId;
        reader.Kind = Kind;
        reader.Direction = Direction;
    }
}

/// <summary>A controller's reader: the id the controller sends, the door it serves and which way people pass there.</summary>
public sealed record ReaderResponse(Guid Id, Guid DeviceId, string DeviceName, string ReaderId, Guid DoorId, ReaderKind Kind, ReaderDirection Direction, DateTimeOffset CreatedAt);

public static class ReaderQueries
{
    /// <summary>The readers of one controller, by reader id.</summary>
    public static async Task<List<ReaderResponse>> OfDeviceAsync(PortierDbContext db, Guid deviceId, CancellationToken ct) =>
        [.. (await Project(db, db.Set<Reader>().Where(r => r.DeviceId == deviceId)).ToListAsync(ct)).OrderBy(r => r.ReaderId, StringComparer.Ordinal)];

    /// <summary>The readers serving a door, on controllers not unpaired, by controller name then reader id.</summary>
    public static async Task<List<ReaderResponse>> AtDoorAsync(PortierDbContext db, Guid doorId, CancellationToken ct) =>
        [.. (await Project(db, db.Set<Reader>().Where(r => r.DoorId == doorId), excludeRevoked: true).ToListAsync(ct))
            .OrderBy(r => r.DeviceName, StringComparer.Ordinal).ThenBy(r => r.ReaderId, StringComparer.Ordinal)];

    public static async Task<ReaderResponse> OneAsync(PortierDbContext db, Guid id, CancellationToken ct) =>
        await Project(db, db.Set<Reader>().Where(r => r.Id == id)).FirstAsync(ct);

    private static IQueryable<ReaderResponse> Project(PortierDbContext db, IQueryable<Reader> readers, bool excludeRevoked = false) =>
        from r in readers.AsNoTracking()
        join d in db.Set<Device>() on r.DeviceId equals d.Id
        where !excludeRevoked || d.State != DeviceState.Revoked
        select new ReaderResponse(r.Id, r.DeviceId, d.Name, r.ReaderId, r.DoorId, r.Kind, r.Direction, r.CreatedAt.ToDateTimeOffset());
}
