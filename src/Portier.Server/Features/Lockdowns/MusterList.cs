using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.People;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Lockdowns;

/// <summary>
/// An evacuation's muster list, read from the access log: everyone whose last granted passage into or
/// out of the plan's area (the whole site, or the zones behind the plan's doors, or the doors themselves
/// when they lead into no zone) in the day before the evacuation started, or since, was an entry.
/// A passage's direction is its reader's (entry or exit reader) when the scan named a registered reader,
/// else the door's. People leaving through a released door badge nothing, so marshals tick them off.
/// </summary>
public static class MusterList
{
    /// <summary>How far back before the start an entry still counts as someone possibly inside.</summary>
    public static readonly Duration Lookback = Duration.FromHours(24);

    public static async Task<MusterResponse> ReadAsync(PortierDbContext db, LockdownPlan plan, Instant now, CancellationToken ct)
    {
        var since = plan.StartedAt ?? plan.EndedAt ?? now;
        var from = since - Lookback;
        var planDoors = (await LockdownControl.DoorsOfAsync(db, plan, ct)).ToHashSet();
        var doors = await db.Set<Door>().AsNoTracking().Where(d => d.SiteId == plan.SiteId)
            .Select(d => new { d.Id, d.Name, d.ZoneId, d.Direction }).ToDictionaryAsync(d => d.Id, ct);
        var zones = doors.Values.Where(d => planDoors.Contains(d.Id) && d.ZoneId.HasValue).Select(d => d.ZoneId!.Value).ToHashSet();
        bool InArea(Guid doorId, Guid? zoneId) => plan.Target == LockdownTarget.Site
            || (zoneId is { } zone ? zones.Contains(zone) : planDoors.Contains(doorId));

        var siteId = plan.SiteId;
        var passages = await db.Set<AccessEvent>().AsNoTracking()
            .Where(e => e.SiteId == siteId && e.Allowed && e.OutcomeOf == null && e.PersonId != null && e.At >= from && e.At <= now)
            .Select(e => new { PersonId = e.PersonId!.Value, e.DoorId, e.ZoneId, e.DeviceId, e.ReaderId, e.At, e.Id })
            .ToListAsync(ct);
        var readers = await db.Set<Reader>().AsNoTracking().Where(r => r.SiteId == siteId)
            .Select(r => new { r.DeviceId, r.ReaderId, r.DoorId, r.Direction }).ToListAsync(ct);
        var readerDirection = readers.GroupBy(r => (r.DeviceId, r.ReaderId)).ToDictionary(g => g.Key, g => g.First());

        bool Entered(Guid doorId, Guid? deviceId, string? readerId)
        {
            if (deviceId is { } device && readerId is not null && readerDirection.TryGetValue((device, readerId), out var reader) && reader.DoorId == doorId)
                return reader.Direction.ForDecision().EntersZone();
            return !doors.TryGetValue(doorId, out var door) || door.Direction.EntersZone();
        }

        var inside = passages.Where(p => doors.ContainsKey(p.DoorId) && InArea(p.DoorId, p.ZoneId))
            .GroupBy(p => p.PersonId)
            .Select(g => g.OrderBy(p => p.At).ThenBy(p => p.Id).Last())
            .Where(p => Entered(p.DoorId, p.DeviceId, p.ReaderId))
            .ToList();
        var ids = inside.Select(p => p.PersonId).ToList();
        var names = await db.Set<Person>().AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var planId = plan.Id;
        var marks = await db.Set<MusterMark>().AsNoTracking().Where(m => m.PlanId == planId).ToDictionaryAsync(m => m.PersonId, ct);
        var people = inside.Where(p => names.ContainsKey(p.PersonId))
            .Select(p =>
            {
                var mark = marks.GetValueOrDefault(p.PersonId);
                return new MusterEntry(p.PersonId, names[p.PersonId], p.DoorId, doors[p.DoorId].Name, p.At.ToDateTimeOffset(),
                    mark is not null, mark?.AccountedAt.ToDateTimeOffset(), mark?.AccountedBy);
            })
            .OrderBy(e => e.Accounted).ThenBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ToList();
        return new MusterResponse(plan.Id, plan.IsActive, plan.StartedAt?.ToDateTimeOffset(), people.Count, people.Count(p => p.Accounted), people);
    }
}
