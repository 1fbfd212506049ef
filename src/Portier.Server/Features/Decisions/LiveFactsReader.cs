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

/// <summary>The credential a presented key matched: the active one, else the most recently revoked.</summary>
public sealed record MatchedCredential(Guid Id, Guid PersonId, int UseCount, int? MaxUses);

/// <summary>What a decision at one door needs beyond the policy, read just before deciding.</summary>
public sealed record DoorFacts(Guid? DeviceId, MatchedCredential? Credential, LiveFacts Live);

/// <summary>Reads the facts that change faster than policy: zone occupancy, the controller's heartbeat, a credential's uses.</summary>
public static class LiveFactsReader
{
    public static async Task<DoorFacts> ReadAsync(PortierDbContext db, Door door, CredentialKind? kind, string? credentialKey, CancellationToken ct)
    {
        var occupancy = door.ZoneId is { } zoneId
            ? await db.Set<Zone>().Where(z => z.Id == zoneId).Select(z => z.CurrentCount).FirstOrDefaultAsync(ct)
            : 0;
        var credential = kind is { } k && credentialKey is not null
            ? await db.Set<Credential>().AsNoTracking()
                .Where(c => c.SiteId == door.SiteId && c.Kind == k && (c.ActiveKey == credentialKey || (c.ActiveKey == null && c.Value == credentialKey)))
                .OrderBy(c => c.Revoked).ThenByDescending(c => c.RevokedAt)
                .Select(c => new MatchedCredential(c.Id, c.PersonId, c.UseCount, c.MaxUses))
                .FirstOrDefaultAsync(ct)
            : null;
        var device = await db.Set<Device>().Where(d => d.DoorId == door.Id && d.State == DeviceState.Paired)
            .Select(d => new { d.Id, d.LastHeartbeatAt }).FirstOrDefaultAsync(ct);
        return new DoorFacts(device?.Id, credential, new LiveFacts(occupancy, device?.LastHeartbeatAt, credential?.UseCount ?? 0));
    }
}
