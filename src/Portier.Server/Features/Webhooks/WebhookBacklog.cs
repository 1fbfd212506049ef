using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Webhooks;

/// <summary>
/// The outbox as the dispatcher found it at the start of its last pass: how many deliveries to
/// enabled endpoints are pending, and since when the most overdue one has been due. Read for the
/// telemetry gauges, so a scrape never queries the database; refreshed only while a gauge is observed.
/// </summary>
public sealed class WebhookBacklog
{
    private volatile Reading? _last;
    private Instrument? _observer;

    private sealed record Reading(long Pending, Instant? OldestDue);

    /// <summary>The gauge whose listeners make refreshing worth two indexed queries per pass.</summary>
    public void ObservedBy(Instrument gauge) => _observer = gauge;

    public async Task RefreshAsync(PortierDbContext db, CancellationToken ct)
    {
        if (_observer is not { Enabled: true }) return;
        var pending = db.Set<WebhookDelivery>().Where(d => d.Status == DeliveryStatus.Pending)
            .Where(d => db.Set<WebhookEndpoint>().Any(e => e.Id == d.EndpointId && e.Enabled));
        var count = await pending.LongCountAsync(ct);
        var oldest = count == 0 ? null : await pending.OrderBy(d => d.NextAttemptAt).Select(d => (Instant?)d.NextAttemptAt).FirstOrDefaultAsync(ct);
        _last = new Reading(count, oldest);
    }

    /// <summary>Pending deliveries at the last pass; null before the first.</summary>
    public long? Depth => _last?.Pending;

    /// <summary>
    /// How long the most overdue delivery has been due, measured now: it keeps growing while a pass
    /// is stuck. Zero when nothing was due; null before the first pass.
    /// </summary>
    public double? OldestDueAge(Instant now) => _last switch
    {
        null => null,
        { OldestDue: { } due } when due < now => (now - due).TotalSeconds,
        _ => 0,
    };
}
