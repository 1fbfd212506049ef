using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.Access;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Passback;

/// <summary>
/// The person's presence in the zone behind the door, moved by every granted passage on every path (reader,
/// gate, member app, an administrator's override naming the person). The engine judged the presence read
/// before deciding; an entry a hard or timed zone may refuse moves it only if it still admits the entry,
/// so of two racing attempts of one person exactly one passes (the other is <c>passback_violation</c>).
/// A soft zone, an exit and an override are never refused here. The door's schedule passes nobody.
/// </summary>
public sealed class PassbackReservation(IServiceScopeFactory scopes) : IAttemptReservation
{
    public async ValueTask<ReasonCode?> TryReserveAsync(AttemptContext attempt, CancellationToken ct)
    {
        if (Passage(attempt) is not { } passage) return null;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var refusing = passage.Entering && attempt.Attempt.Source != AttemptSource.AdminOverride
            && passage.Rule.Mode is PassbackMode.Hard or PassbackMode.Timed ? passage.Rule : (PassbackRule?)null;
        return await ZonePresences.PassAsync(db, attempt.Door.SiteId, passage.PersonId, passage.ZoneId, refusing, passage.Entering, attempt.At, ct)
            ? null
            : ReasonCode.PassbackViolation;
    }

    public async ValueTask ReleaseAsync(AttemptContext attempt, CancellationToken ct)
    {
        if (Passage(attempt) is not { } passage) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        await ZonePresences.RestoreAsync(db, passage.PersonId, passage.ZoneId, passage.Entering, attempt.At, attempt.Facts.Live.Presence, ct);
    }

    private sealed record PassageInZone(Guid PersonId, Guid ZoneId, PassbackRule Rule, bool Entering);

    private static PassageInZone? Passage(AttemptContext attempt) =>
        attempt.Attempt.Source != AttemptSource.Schedule
        && attempt.Door.ZoneId is { } zoneId
        && attempt.PersonId is { } personId
        && attempt.Snapshot.PassbackAt(attempt.Door.Id) is { Mode: not PassbackMode.Off } rule
            ? new PassageInZone(personId, zoneId, rule, attempt.Direction.EntersZone())
            : null;
}
