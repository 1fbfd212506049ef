using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.AccessLog;

/// <summary>
/// The one publish point for access events. <see cref="AccessEventWriter"/> calls every registered
/// sink for each group commit, so whoever appends an event (the device gateway, an app unlock,
/// an admin override) reaches the live stream and the webhook outbox without knowing about them.
/// </summary>
public interface IAccessEventSink
{
    /// <summary>Adds rows that must commit in the same transaction as the events (the webhook outbox).</summary>
    ValueTask BeforeCommitAsync(PortierDbContext db, IReadOnlyList<AccessEvent> events, CancellationToken ct);

    /// <summary>Runs once the events are durable; must not block (hand off, never wait on a client).</summary>
    void AfterCommit(IReadOnlyList<AccessEvent> events);
}
