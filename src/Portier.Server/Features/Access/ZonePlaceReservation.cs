using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.Occupancy;

namespace Portier.Server.Features.Access;

/// <summary>
/// A place in the zone behind the door: the engine saw a free one, but another attempt may have taken it
/// since, so the count moves with a conditional UPDATE. An exit (through an exit door, or at an exit reader) frees a place instead. An
/// administrator's override is counted even past capacity: the person is inside either way.
/// </summary>
public sealed class ZonePlaceReservation(OccupancyService occupancy) : IAttemptReservation
{
    public async ValueTask<ReasonCode?> TryReserveAsync(AttemptContext attempt, CancellationToken ct)
    {
        if (attempt.Attempt.Source == AttemptSource.Schedule) return null;
        var neverRefused = attempt.Attempt.Source == AttemptSource.AdminOverride;
        return await occupancy.PassAsync(attempt.Door, attempt.Direction, neverRefused, ct) ? null : ReasonCode.CapacityExceeded;
    }

    public async ValueTask ReleaseAsync(AttemptContext attempt, CancellationToken ct)
    {
        if (attempt.Attempt.Source == AttemptSource.Schedule || attempt.Door.ZoneId is not { } zoneId) return;
        if (attempt.Direction.EntersZone()) await occupancy.ExitAsync(zoneId, ct);
        else await occupancy.EnterOverCapacityAsync(zoneId, ct);
    }
}
