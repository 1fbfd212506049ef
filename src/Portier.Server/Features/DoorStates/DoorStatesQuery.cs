using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Devices;
using Portier.Core.Doors;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.DoorStates;

/// <summary>
/// Gathers each door's live facts in a handful of queries (doors, sensor watches, controllers, standing sensor
/// alarms, the governing plan from the policy snapshot) and lets <see cref="DoorLiveStatus.Of"/> name the state.
/// </summary>
public static class DoorStatesQuery
{
    public static async Task<List<DoorStateResponse>> ForAsync(
        PortierDbContext db, CurrentUser user, PolicySnapshotStore policy, DeviceOnline online, Instant now, Guid? siteId, Guid? doorId, CancellationToken ct)
    {
        var doorQuery = db.Set<Door>().AsNoTracking().VisibleTo(user);
        if (siteId is not null) doorQuery = doorQuery.Where(d => d.SiteId == siteId);
        if (doorId is not null) doorQuery = doorQuery.Where(d => d.Id == doorId);
        var doors = await doorQuery.OrderBy(d => d.Name).ThenBy(d => d.Id)
            .Select(d => new { d.Id, d.SiteId, d.MaintenanceMode, d.BlockAllAccess, d.OverrideMode, d.OverrideUntil }).ToListAsync(ct);
        if (doors.Count == 0) return [];
        var ids = doors.Select(d => d.Id).ToList();

        var watches = await db.Set<DoorWatchState>().AsNoTracking().Where(w => ids.Contains(w.DoorId)).ToDictionaryAsync(w => w.DoorId, ct);
        var controllers = (await db.Set<Device>().AsNoTracking().Where(d => d.DoorId != null && ids.Contains(d.DoorId.Value) && d.State == DeviceState.Paired)
                .Select(d => new { DoorId = d.DoorId!.Value, d.RecordedOnline, d.LastHeartbeatAt }).ToListAsync(ct))
            .ToLookup(d => d.DoorId, d => online.IsOnline(d.RecordedOnline, d.LastHeartbeatAt));
        var alarms = (await db.Set<Alarm>().AsNoTracking()
                .Where(a => a.DoorId != null && ids.Contains(a.DoorId.Value) && a.ClearedAt == null
                    && (a.Kind == AlarmKind.DoorForcedOpen || a.Kind == AlarmKind.DoorHeldOpen || a.Kind == AlarmKind.DoorHeldOpenWarning))
                .Select(a => new { DoorId = a.DoorId!.Value, a.Kind }).ToListAsync(ct))
            .ToLookup(a => a.DoorId, a => Alarm.CoreOf(a.Kind));
        var snapshot = await policy.GetAsync(ct);

        return [.. doors.Select(d =>
        {
            var watch = watches.GetValueOrDefault(d.Id);
            var link = !controllers.Contains(d.Id) ? ControllerLink.None
                : controllers[d.Id].Any(up => up) ? ControllerLink.Online : ControllerLink.Offline;
            var running = DoorOverride.Of(d.OverrideMode, d.OverrideUntil) is { } o && o.IsActiveAt(now) ? o.Mode : (DoorOverrideMode?)null;
            var standing = alarms[d.Id].Distinct().Order().ToList();
            var facts = new DoorLiveFacts(link, watch?.IsOpen ?? false, watch?.Latched ?? false, standing,
                d.MaintenanceMode, d.BlockAllAccess, running, snapshot.LockdownAt(d.Id)?.Kind);
            var status = DoorLiveStatus.Of(facts);
            return new DoorStateResponse(d.Id, d.SiteId, status.State, status.Severity, status.Label, link, facts.Open, facts.Latched, standing);
        })];
    }
}
