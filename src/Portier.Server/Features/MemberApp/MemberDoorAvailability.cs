using Microsoft.EntityFrameworkCore;
using Portier.Core.Decisions;
using Portier.Server.Features.Access;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Qualifications;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.MemberApp;

/// <summary>
/// A door of the member's site the member holds a permission for. <see cref="CanOpenNow"/> is whether a tap would be
/// decided in their favour now; otherwise <see cref="Reason"/> is the refusal's code and <see cref="Why"/> its plain
/// sentence. At a two-person door a tap starts the wait for a second person: open now, with
/// <c>two_person_waiting</c> as the reason.
/// </summary>
public sealed record MemberDoor(Guid Id, string Name, string? LocationLabel, string? ZoneName)
{
    public bool CanOpenNow { get; init; } = true;
    public string? Reason { get; init; }
    public string? Why { get; init; }
}

/// <summary>
/// Which of the member's doors the app offers, decided the way a tap is: each door the member holds a standing
/// permission for goes through the access pipeline's explain (the same load of live facts — the controller's
/// heartbeat, the zone's count, the member's presence, who waits at a two-person door — and the same decision),
/// without a location, since the phone sends a fresh one with the tap.
/// </summary>
public static class MemberDoorAvailability
{
    /// <summary>
    /// Refusals a member can act on or wait out: the door is listed as not available right now. Every other
    /// refusal (no rule or grant, the zone's ticket type, the person's kill switch or blocklist) hides the door.
    /// </summary>
    public static bool ListsDoor(ReasonCode refusal) => refusal is
        ReasonCode.DeviceOffline or ReasonCode.OutsideAccessHours or ReasonCode.HolidayClosed or ReasonCode.Lockdown
        or ReasonCode.DoorForceClosed or ReasonCode.DoorBlocked or ReasonCode.QualificationMissing or ReasonCode.QualificationExpired
        or ReasonCode.CapacityExceeded or ReasonCode.PassbackViolation;

    public static async Task<IReadOnlyList<MemberDoor>> ListAsync(
        PortierDbContext db, CurrentUser user, Guid personId, PolicySnapshotStore store, AccessPipeline pipeline, TimeProvider clock, CancellationToken ct)
    {
        var snapshot = await store.GetAsync(ct);
        var at = clock.GetCurrentInstant();
        var siteDoors = await db.Set<Door>().AsNoTracking().VisibleTo(user).OrderBy(d => d.Name).ThenBy(d => d.Id).ToListAsync(ct);
        // A standing permission, whatever the door's block, maintenance or lockdown says (those stop the decision before it asks).
        var permitted = siteDoors.Where(d => DecisionEngine.Authorize(snapshot, personId, d.Id, at)
            is ReasonCode.Granted or ReasonCode.OutsideAccessHours or ReasonCode.HolidayClosed).ToList();
        var zoneIds = permitted.Where(d => d.ZoneId != null).Select(d => d.ZoneId!.Value).Distinct().ToList();
        var zones = await db.Set<Zone>().AsNoTracking().Where(z => zoneIds.Contains(z.Id)).ToDictionaryAsync(z => z.Id, z => z.Name, ct);

        var listed = new List<MemberDoor>();
        foreach (var door in permitted)
        {
            var decision = (await pipeline.ExplainAsync(AccessAttempt.DryRun(door.Id, personId), door, at, ct)).Decision;
            var listing = new MemberDoor(door.Id, door.Name, door.LocationLabel, door.ZoneId is { } z ? zones.GetValueOrDefault(z) : null);
            if (decision.Allowed)
            {
                listed.Add(listing);
            }
            else if (decision.Reason == ReasonCode.TwoPersonWaiting)
            {
                listed.Add(listing with { Reason = decision.Reason.ToCode(), Why = ReasonText.For(decision.Reason) });
            }
            else if (ListsDoor(decision.Reason))
            {
                listed.Add(listing with
                {
                    CanOpenNow = false,
                    Reason = decision.Reason.ToCode(),
                    Why = QualificationRefusals.Describe(decision.Reason, snapshot, door.Id, personId, at) ?? ReasonText.For(decision.Reason),
                });
            }
        }
        return listed;
    }
}
