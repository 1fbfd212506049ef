using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Doors;

/// <summary>A paired controller as the scan path sees it: which door it drives, and when it was last heard.</summary>
public sealed record PairedController(Guid Id, Guid SiteId, Guid? DoorId, Instant? LastHeartbeatAt);

/// <summary>Every door and paired controller, read once per change instead of once per scan.</summary>
public sealed class DoorDirectorySnapshot(IEnumerable<Door> doors, IEnumerable<PairedController> controllers)
{
    private readonly FrozenDictionary<Guid, Door> _doors = doors.ToFrozenDictionary(d => d.Id);
    private readonly FrozenDictionary<Guid, PairedController> _controllers = controllers.ToFrozenDictionary(c => c.Id);
    // A door takes one controller (a second is refused until the first is unpaired); should two exist, the lower id answers.
    private readonly FrozenDictionary<Guid, PairedController> _controllerOfDoor = controllers
        .Where(c => c.DoorId is not null).GroupBy(c => c.DoorId!.Value)
        .ToFrozenDictionary(g => g.Key, g => g.OrderBy(c => c.Id).First());

    /// <summary>The door as last saved; shared by every reader, so never to be modified.</summary>
    public Door? Door(Guid doorId) => _doors.GetValueOrDefault(doorId);

    public PairedController? Controller(Guid deviceId) => _controllers.GetValueOrDefault(deviceId);

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
            return new DoorDirectorySnapshot(doors, controllers);
        });

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
