using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Doors;

/// <summary>
/// A paired controller as the scan path sees it: its default door (<see cref="DoorId"/>, where a scan
/// without a registered reader goes), its readers, and when it was last heard.
/// </summary>
public sealed record PairedController(Guid Id, Guid SiteId, Guid? DoorId, Instant? LastHeartbeatAt)
{
    /// <summary>The controller's registered readers, by the id it sends with a scan.</summary>
    public IReadOnlyDictionary<string, ControllerReader> Readers { get; init; } = FrozenDictionary<string, ControllerReader>.Empty;

    /// <summary>Every door the controller serves: its default door and its readers' doors, each once.</summary>
    public IReadOnlyList<Guid> Doors { get; init; } = [];

    /// <summary>The reader the controller registered under <paramref name="readerId"/>, if any.</summary>
    public ControllerReader? Reader(string? readerId) => readerId is not null ? Readers.GetValueOrDefault(readerId) : null;

    /// <summary>The door to name in a command to this controller: needed only when it serves more than one.</summary>
    public Guid? CommandDoor(Guid doorId) => Doors.Count > 1 ? doorId : null;

    /// <summary>
    /// Where a scan from <paramref name="readerId"/> is decided. A registered reader: at its door, with its
    /// direction. No reader named, or a controller with no registered readers (a version 1 controller
    /// naming its one reader): at the default door, the door's own direction. A reader not registered on a
    /// controller that has registered readers: nowhere (null), since it may stand at any of the
    /// controller's doors and opening the default door for it could open a door nobody stands at; null as
    /// well when there is no default door to fall back on.
    /// </summary>
    public ScanPlace? Place(string? readerId)
    {
        if (Reader(readerId) is { } reader) return new ScanPlace(reader.DoorId, reader.Direction.ForDecision(), reader.ReaderId);
        if (readerId is not null && Readers.Count > 0) return null;
        return DoorId is { } door ? new ScanPlace(door, null, Devices.Reader.IsValidReaderId(readerId) ? readerId : null) : null;
    }
}

/// <summary>Where a scan is decided: the door, the way the passage goes (null = the door's own direction) and the reader to record.</summary>
public readonly record struct ScanPlace(Guid DoorId, DoorDirection? Direction, string? ReaderId);

/// <summary>One reader of a controller as decisions (and controller bundles) need it.</summary>
public sealed record ControllerReader(string ReaderId, Guid DoorId, ReaderKind Kind, ReaderDirection Direction);

/// <summary>Every door and paired controller, read once per change instead of once per scan.</summary>
public sealed class DoorDirectorySnapshot
{
    private readonly FrozenDictionary<Guid, Door> _doors;
    private readonly FrozenDictionary<Guid, PairedController> _controllers;
    private readonly FrozenDictionary<Guid, PairedController> _controllerOfDoor;

    /// <summary>
    /// <paramref name="readers"/> are every paired controller's readers (by controller id); one whose door
    /// is gone is left out.
    /// </summary>
    public DoorDirectorySnapshot(IEnumerable<Door> doors, IEnumerable<PairedController> controllers, ILookup<Guid, ControllerReader>? readers = null)
    {
        _doors = doors.ToFrozenDictionary(d => d.Id);
        var known = _doors;
        var served = controllers.Select(c =>
        {
            var own = readers?[c.Id].Where(r => known.ContainsKey(r.DoorId)).ToList() ?? [];
            return c with
            {
                Readers = own.ToFrozenDictionary(r => r.ReaderId, StringComparer.Ordinal),
                Doors = [.. (c.DoorId is { } door ? [door] : Array.Empty<Guid>()).Concat(own.Select(r => r.DoorId)).Distinct()],
            };
        }).ToList();
        _controllers = served.ToFrozenDictionary(c => c.Id);
        _controllerOfDoor = served.SelectMany(c => c.Doors.Select(door => (Door: door, Controller: c)))
            .GroupBy(x => x.Door)
            .ToFrozenDictionary(g => g.Key, g => ActuatorOf(g.Key, g.Select(x => x.Controller)));
    }

    /// <summary>
    /// The controller that drives a door's lock for openings no reader asked for (an administrator's,
    /// the schedule's, the member app's): the one that has the door as its default door, else the one
    /// with the lowest id among those whose readers serve it. One lock is driven by one relay.
    /// </summary>
    private static PairedController ActuatorOf(Guid doorId, IEnumerable<PairedController> serving) =>
        serving.OrderBy(c => c.DoorId == doorId ? 0 : 1).ThenBy(c => c.Id).First();

    /// <summary>The door as last saved; shared by every reader, so never to be modified.</summary>
    public Door? Door(Guid doorId) => _doors.GetValueOrDefault(doorId);

    public PairedController? Controller(Guid deviceId) => _controllers.GetValueOrDefault(deviceId);

    /// <summary>The controller that drives the door (<see cref="ActuatorOf"/>), null when none serves it.</summary>
    public PairedController? ControllerOf(Guid doorId) => _controllerOfDoor.GetValueOrDefault(doorId);

    public IEnumerable<PairedController> Controllers => _controllers.Values;
}

/// <summary>
/// Doors and paired controllers held in memory for the scan path. A saved change to a door or a
/// device marks the directory stale (<see cref="DefinitionChangeInterceptor"/>) and the next reader
/// rebuilds it. Heartbeats, far more frequent, are noted here as they arrive instead.
/// </summary>
public sealed class DoorDirectory : IDefinitionCache, IDisposable
{
    private readonly RebuiltOnChange<DoorDirectorySnapshot> _snapshot;
    private readonly ConcurrentDictionary<Guid, Instant> _heard = new();
    private readonly ConcurrentDictionary<Guid, bool> _lost = new();

    public DoorDirectory(IServiceScopeFactory scopes) =>
        _snapshot = new(async ct =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            var doors = await db.Set<Door>().AsNoTracking().ToListAsync(ct);
            var controllers = await db.Set<Device>().AsNoTracking().Where(d => d.State == DeviceState.Paired)
                .Select(d => new PairedController(d.Id, d.SiteId, d.DoorId, d.LastHeartbeatAt)).ToListAsync(ct);
            return new DoorDirectorySnapshot(doors, controllers, await ControllerReaders.OfPairedAsync(db, ct));
        });

    public string Name => "doors";

    public Type DefinitionMarker => typeof(IDoorDirectoryDefinition);

    public void MarkChanged() => _snapshot.MarkChanged();

    public ValueTask<DoorDirectorySnapshot> GetAsync(CancellationToken ct) => _snapshot.GetAsync(ct);

    /// <summary>Notes a heartbeat once it is recorded in the database; it ends a lost connection.</summary>
    public void Heard(Guid deviceId, Instant at)
    {
        _heard.AddOrUpdate(deviceId, at, (_, before) => at > before ? at : before);
        _lost.TryRemove(deviceId, out _);
    }

    /// <summary>Notes that the broker saw the controller's connection end: it counts as unheard until its next heartbeat.</summary>
    public void Lost(Guid deviceId) => _lost[deviceId] = true;

    /// <summary>
    /// The latest heartbeat of the controller (noted here, or recorded before the directory was read),
    /// or null while its connection is lost.
    /// </summary>
    public Instant? LastHeard(PairedController controller) =>
        _lost.ContainsKey(controller.Id) ? null
        : _heard.TryGetValue(controller.Id, out var heard) && (controller.LastHeartbeatAt is not { } recorded || heard > recorded)
            ? heard
            : controller.LastHeartbeatAt;

    /// <summary>
    /// Paired controllers and how many of them are online at <paramref name="now"/>, from the directory
    /// as last read (no query of its own); null while it has never been read.
    /// </summary>
    public (int Paired, int Online)? CountControllers(Instant now) =>
        _snapshot.Latest is { } snapshot
            ? (snapshot.Controllers.Count(), snapshot.Controllers.Count(c => DeviceOnline.At(LastHeard(c), now)))
            : null;

    public void Dispose() => _snapshot.Dispose();
}
