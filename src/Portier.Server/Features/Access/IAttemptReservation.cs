using Portier.Core.Decisions;

namespace Portier.Server.Features.Access;

/// <summary>
/// Something a granted attempt consumes that others may be racing for: a credential's use, a place in
/// the zone behind the door. The pipeline takes every reservation in registration order after the
/// engine granted; one that cannot be had denies with its reason, and those already taken are released,
/// as they are when recording the attempt fails. A new live-fact limit is one more reservation.
/// </summary>
public interface IAttemptReservation
{
    /// <summary>Takes the resource for a granted attempt; the reason to deny when it is gone, null when taken (or not needed).</summary>
    ValueTask<ReasonCode?> TryReserveAsync(AttemptContext attempt, CancellationToken ct);

    /// <summary>Gives back what <see cref="TryReserveAsync"/> took for this attempt.</summary>
    ValueTask ReleaseAsync(AttemptContext attempt, CancellationToken ct);
}
