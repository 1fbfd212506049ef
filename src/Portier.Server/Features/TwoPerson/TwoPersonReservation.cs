using Portier.Core.Decisions;
using Portier.Server.Features.Access;

namespace Portier.Server.Features.TwoPerson;

/// <summary>
/// The person a grant at a two-person door pairs with: their wait is taken, so it opens the door once.
/// Taken last, after every other reservation, so a grant refused for a zone place leaves the wait standing.
/// </summary>
public sealed class TwoPersonReservation(TwoPersonWaits waits) : IAttemptReservation
{
    public async ValueTask<ReasonCode?> TryReserveAsync(AttemptContext attempt, CancellationToken ct) =>
        !TwoPersonWaits.Applies(attempt) || await waits.TryTakeAsync(attempt.Door.Id, attempt.Facts.Live.Waiting, ct) ? null : ReasonCode.TwoPersonWaiting;

    public async ValueTask ReleaseAsync(AttemptContext attempt, CancellationToken ct)
    {
        if (TwoPersonWaits.Applies(attempt)) await waits.RestoreAsync(attempt.Door.Id, attempt.Facts.Live.Waiting, ct);
    }
}
