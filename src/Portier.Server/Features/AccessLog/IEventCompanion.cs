using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.AccessLog;

/// <summary>
/// A write that commits in the same transaction as one access event: the command the attempt
/// sends, the command outcome an outcome row settles, the credential use a grant counts. Storing
/// them with the event keeps the scan path at one durable commit, shared by the whole group.
/// </summary>
public interface IEventCompanion
{
    /// <summary>
    /// Writes (or stages on the writer's context) every companion of this type in the batch (this
    /// one among them), in as few statements as possible; runs inside the batch's transaction,
    /// before its events are written.
    /// </summary>
    ValueTask StageAllAsync(PortierDbContext db, IReadOnlyList<IEventCompanion> ofThisType, CancellationToken ct);
}
