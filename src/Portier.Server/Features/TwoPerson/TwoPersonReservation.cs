using Portier.Core.Decisions;
using Portier.Server.Features.Access;

namespace Portier.Server.Features.TwoPerson;

/// <summary>
/// The person a grant at a two-person door pairs with: their wait is taken, so it opens the door once.
/// Taken last, after every other reservation, so a grant refused for a zone place leaves the wait standing.
/// </summary>
public sealed class TwoPersonReservation(TwoPersonWaits waits) : IAttemptReservation
{
    public ValueTask<ReasonCode?> TryReserveAsync(AttemptContext attempt, CancellationToken ct) =>
        ValueTask.FromResult<ReasonCode?>(
            !TwoPersonWaits.Applies(attempt) || waits.TryTake(attempt.Door.Id, attempt.Facts.Live.Waiting) ? null : ReasonCode.TwoPersonWaiting);

    public ValueTask ReleaseAsync(AttemptContext attempt, CancellationToken ct)
    {
        if (TwoPersonWaits.Applies(attempt)) waits.Restore(attempt.Door.Id, attempt.Facts.Live.Waiting);
        return ValueTask.CompletedTask;
    }
}
