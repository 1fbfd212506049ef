using Portier.Core.Decisions;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Passback;

/// <summary>
/// Every attempt that broke a zone's anti-passback, refused or let through, told once more as a violation:
/// to webhook subscribers (<c>access.passback_violation</c>, in the attempt's own transaction) and on the live
/// stream (<c>PassbackViolation</c>), with the attempt itself as the data.
/// </summary>
internal sealed class PassbackViolationSink(WebhookOutbox outbox, ILiveEventPublisher live) : IAccessEventSink
{
    public ValueTask BeforeCommitAsync(PortierDbContext db, IReadOnlyList<AccessEvent> events, CancellationToken ct) =>
        new(outbox.AddAsync(db, [.. Violations(events).Select(e => new WebhookEvent(WebhookEventTypes.AccessPassbackViolation, e.SiteId, e.At, AccessEventResponse.From(e, null)))], ct));

    public void AfterCommit(IReadOnlyList<AccessEvent> events)
    {
        foreach (var e in Violations(events)) live.Publish(LiveEventTypes.PassbackViolation, e.SiteId, e.At, AccessEventResponse.From(e, null), e.DoorId, e.ZoneId);
    }

    private static IEnumerable<AccessEvent> Violations(IReadOnlyList<AccessEvent> events) =>
        events.Where(e => e.OutcomeOf is null && e.Passback != PassbackViolation.None);
}
