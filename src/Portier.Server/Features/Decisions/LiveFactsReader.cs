using Microsoft.EntityFrameworkCore;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Passback;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Decisions;

/// <summary>The credential a presented key matched: the active one, else the most recently revoked.</summary>
public sealed record MatchedCredential(Guid Id, Guid PersonId, int UseCount, int? MaxUses);

/// <summary>What a decision at one door needs beyond the policy, read just before deciding.</summary>
public sealed record DoorFacts(Guid? DeviceId, MatchedCredential? Credential, LiveFacts Live);

/// <summary>
/// Reads the facts that change faster than policy: zone occupancy, the controller's heartbeat, a
/// credential's uses. The credential itself is found in the same policy snapshot the decision uses;
/// only a limited credential's use count, and a zoned door's occupancy, are read from the database.
/// </summary>
public static class LiveFactsReader
{
    /// <summary>
    /// The facts at <paramref name="door"/>; for a zone with anti-passback, also the presence there of the
    /// presented credential's person, else of <paramref name="personId"/>.
    /// </summary>
    public static async Task<DoorFacts> ReadAsync(
        DatabaseOnFirstUse db, PolicySnapshot policy, DoorDirectory doors, Door door, CredentialKind? kind, string? credentialKey, CancellationToken ct,
        Guid? personId = null)
    {
        var occupancy = door.ZoneId is { } zoneId
            ? await db.Context.Set<Zone>().Where(z => z.Id == zoneId).Select(z => z.CurrentCount).FirstOrDefaultAsync(ct)
            : 0;
        var presented = kind is { } k && credentialKey is not null ? policy.FindCredential(door.Id, k, credentialKey) : null;
        var credential = presented is null
            ? null
            : new MatchedCredential(presented.Id, presented.PersonId, presented.MaxUses is null ? 0 : await UseCountAsync(db.Context, presented.Id, ct), presented.MaxUses);
        var controller = (await doors.GetAsync(ct)).ControllerOf(door.Id);
        var presence = door.ZoneId is { } zone && (credential?.PersonId ?? personId) is { } person && policy.PassbackAt(door.Id).Mode != PassbackMode.Off
            ? await ZonePresences.ReadAsync(db.Context, person, zone, ct)
            : default;
        return new DoorFacts(controller?.Id, credential, new LiveFacts(occupancy, controller is null ? null : doors.LastHeard(controller), credential?.UseCount ?? 0)
        {
            Presence = presence,
        });
    }

    private static Task<int> UseCountAsync(PortierDbContext db, Guid credentialId, CancellationToken ct) =>
        db.Set<Credential>().Where(c => c.Id == credentialId).Select(c => c.UseCount).FirstOrDefaultAsync(ct);
}
