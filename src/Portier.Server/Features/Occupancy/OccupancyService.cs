using Microsoft.EntityFrameworkCore;
using Portier.Core.Model;
using Portier.Server.Features.Doors;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Occupancy;

/// <summary>
/// Keeps zone counts. Every granted unlock and gate validation calls <see cref="PassAsync"/> before the
/// door opens: entries take a place (false means <c>capacity_exceeded</c>: do not unlock), exits free one. Each change is one conditional
/// UPDATE, so concurrent scans can never push a zone past its capacity.
/// </summary>
public sealed class OccupancyService(IServiceScopeFactory scopes, ILiveEventPublisher live, WebhookOutbox outbox, TimeProvider clock)
{
    /// <summary>
    /// A granted passage through <paramref name="door"/> moves its zone's count: going in
    /// (<paramref name="direction"/> in or both: an entry door, or an entry reader) it takes a place, false when none
    /// is free; going out (an exit door, or an exit reader at any door) it frees one. A door
    /// without a zone, or a zone without capacity, is never refused. With <paramref name="neverRefused"/>
    /// (an operator's override) the entry is counted even past the capacity, because the person is
    /// inside either way.
    /// </summary>
    public async Task<bool> PassAsync(Door door, DoorDirection direction, bool neverRefused, CancellationToken ct)
    {
        if (door.ZoneId is not { } zoneId) return true;
        if (!direction.EntersZone())
        {
            await ExitAsync(zoneId, ct);
            return true;
        }
        if (!neverRefused) return await TryEnterAsync(zoneId, ct);
        await EnterOverCapacityAsync(zoneId, ct);
        return true;
    }

    /// <summary>Takes a place in the zone if one is free; false when the zone is full or unknown.</summary>
    public Task<bool> TryEnterAsync(Guid zoneId, CancellationToken ct) =>
        ChangeAsync(zoneId, OccupancyChangeKind.Entry, zones => zones
            .Where(z => z.Id == zoneId && (z.Capacity == null || z.CurrentCount < z.Capacity))
            .ExecuteUpdateAsync(s => s.SetProperty(z => z.CurrentCount, z => z.CurrentCount + 1), ct), ct);

    /// <summary>
    /// Counts an entry that is never refused (an operator's override): the count may pass the
    /// capacity, because the person is inside either way. False only when the zone is unknown.
    /// </summary>
    public Task<bool> EnterOverCapacityAsync(Guid zoneId, CancellationToken ct) =>
        ChangeAsync(zoneId, OccupancyChangeKind.Entry, zones => zones
            .Where(z => z.Id == zoneId)
            .ExecuteUpdateAsync(s => s.SetProperty(z => z.CurrentCount, z => z.CurrentCount + 1), ct), ct);

    /// <summary>Frees a place; false when the count was already zero (the exit is still allowed).</summary>
    public Task<bool> ExitAsync(Guid zoneId, CancellationToken ct) =>
        ChangeAsync(zoneId, OccupancyChangeKind.Exit, zones => zones
            .Where(z => z.Id == zoneId && z.CurrentCount > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(z => z.CurrentCount, z => z.CurrentCount - 1), ct), ct);

    private async Task<bool> ChangeAsync(Guid zoneId, OccupancyChangeKind kind, Func<IQueryable<Zone>, Task<int>> update, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await update(db.Set<Zone>()) == 0) return false;
        // The row stays locked by this transaction, so the count read here is the one just written.
        var zone = await db.Set<Zone>().AsNoTracking().Where(z => z.Id == zoneId)
            .Select(z => new { z.SiteId, z.CurrentCount, z.Capacity }).FirstAsync(ct);
        var at = clock.GetCurrentInstant();
        db.Add(new OccupancyChange
        {
            ZoneId = zoneId, SiteId = zone.SiteId, At = at, Kind = kind,
            Delta = kind == OccupancyChangeKind.Entry ? 1 : -1, CountAfter = zone.CurrentCount,
        });
        if (kind == OccupancyChangeKind.Entry && zone.CurrentCount == zone.Capacity)
            await outbox.AddAsync(db, [new WebhookEvent(WebhookEventTypes.ZoneCapacityReached, zone.SiteId, at,
                new ZoneOccupancyPayload(zoneId, zone.CurrentCount, zone.Capacity))], ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        live.Publish(LiveEventTypes.ZoneOccupancyChanged, zone.SiteId, at, new ZoneOccupancyPayload(zoneId, zone.CurrentCount, zone.Capacity), zoneId: zoneId);
        return true;
    }

    /// <summary>An operator's count correction, recorded with who and why (and in the audit trail).</summary>
    public async Task<Zone> CorrectAsync(PortierDbContext db, Zone zone, int count, string actor, string? note, CancellationToken ct)
    {
        var at = clock.GetCurrentInstant();
        db.Add(new OccupancyChange
        {
            ZoneId = zone.Id, SiteId = zone.SiteId, At = at, Kind = OccupancyChangeKind.Correction,
            Delta = count - zone.CurrentCount, CountAfter = count, Actor = actor, Note = note,
        });
        zone.CurrentCount = count;
        await db.SaveChangesAsync(ct);
        live.Publish(LiveEventTypes.ZoneOccupancyChanged, zone.SiteId, at, new ZoneOccupancyPayload(zone.Id, count, zone.Capacity), zoneId: zone.Id);
        return zone;
    }
}
