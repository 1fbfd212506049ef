using Portier.Core.Decisions;
using Portier.Server.Features.Credentials;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Access;

/// <summary>
/// A limited credential's use, counted with a conditional UPDATE so racing readers and gates can never
/// pass it more often than its maximum. An unlimited credential's use is counted with the attempt's
/// record instead (one statement per group commit), so it needs nothing here.
/// </summary>
public sealed class CredentialUseReservation(DatabaseOnFirstUse db) : IAttemptReservation
{
    public async ValueTask<ReasonCode?> TryReserveAsync(AttemptContext attempt, CancellationToken ct) =>
        attempt.Credential is { MaxUses: not null } limited && !await CredentialUses.ConsumeAsync(db.Context, limited.Id, ct)
            ? ReasonCode.MaxUsesReached
            : null;

    public async ValueTask ReleaseAsync(AttemptContext attempt, CancellationToken ct)
    {
        if (attempt.Credential is { MaxUses: not null } limited) await CredentialUses.RefundAsync(db.Context, limited.Id, ct);
    }
}
