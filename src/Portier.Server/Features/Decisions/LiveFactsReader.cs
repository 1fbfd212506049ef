using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Decisions;

/// <summary>Reads the facts that change faster than policy, just before a decision.</summary>
public static class LiveFactsReader
{
    public static async Task<LiveFacts> ReadAsync(PortierDbContext db, Door door, CredentialKind? kind, string? credentialKey, CancellationToken ct)
    {
        var occupancy = door.ZoneId is { } zoneId
            ? await db.Set<Zone>().Where(z => z.Id == zoneId).Select(z => z.CurrentCount).FirstOrDefaultAsync(ct)
            : 0;
        var uses = kind is { } k && credentialKey is not null
            ? await db.Set<Credential>()
                .Where(c => c.SiteId == door.SiteId && c.Kind == k && (c.ActiveKey == credentialKey || c.Value == credentialKey))
                .OrderBy(c => c.Revoked)
                .Select(c => c.UseCount)
                .FirstOrDefaultAsync(ct)
            : 0;
        var lastSeen = await DeviceLastSeenAsync(db, door.Id, ct);
        return new LiveFacts(occupancy, lastSeen, uses);
    }

    /// <summary>The last heartbeat of the controller paired to the door; null when none is paired.</summary>
    private static Task<Instant?> DeviceLastSeenAsync(PortierDbContext db, Guid doorId, CancellationToken ct) =>
        db.Set<Device>().Where(d => d.DoorId == doorId && d.State == DeviceState.Paired)
            .Select(d => d.LastHeartbeatAt).FirstOrDefaultAsync(ct);
}
