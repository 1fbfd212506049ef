using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Webhooks;

/// <summary>
/// Sends committed deliveries. Per endpoint, deliveries go strictly in order: the oldest pending
/// one is retried (backoff with jitter over about 27 hours) and holds back the rest, so a receiver
/// that was down gets everything once, in order. Passes never overlap, and a success is recorded
/// before the next delivery is sent, so a restart resends at most the one in flight.
/// </summary>
public sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, OutboundClient outbound, WebhookWakeup wakeup, TimeProvider clock,
    IOptionsMonitor<WebhookOptions> options, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>Wait after the n-th failed attempt (Standard Webhooks' suggested schedule); after the last, the delivery fails.</summary>
    public static readonly IReadOnlyList<Duration> RetrySchedule =
    [
        Duration.FromSeconds(5), Duration.FromMinutes(5), Duration.FromMinutes(30), Duration.FromHours(2),
        Duration.FromHours(5), Duration.FromHours(10), Duration.FromHours(10),
    ];

    private readonly SemaphoreSlim _gate = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                sent = await DispatchDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(logger, e);
            }
            // A pass that sent something may have stopped at an endpoint's per-pass limit with more
            // due: look again at once. Only an idle pass waits for new deliveries or the poll interval.
            if (sent == 0) await wakeup.WaitAsync(options.CurrentValue.PollInterval, clock, stoppingToken);
        }
    }

    /// <summary>One pass: sends every delivery that is due, endpoints in parallel, each endpoint in order. Returns how many succeeded.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var now = clock.GetCurrentInstant();
            List<Guid> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
                due = await db.Set<WebhookDelivery>().Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
                    .Join(db.Set<WebhookEndpoint>().Where(e => e.Enabled), d => d.EndpointId, e => e.Id, (d, e) => e.Id)
                    .Distinct().ToListAsync(ct);
            }
            var sent = 0;
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.CurrentValue.MaxParallelEndpoints, CancellationToken = ct },
                async (endpointId, token) => Interlocked.Add(ref sent, await DrainAsync(endpointId, token)));
            return sent;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<int> DrainAsync(Guid endpointId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var endpoint = await db.Set<WebhookEndpoint>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == endpointId, ct);
        var limit = options.CurrentValue.MaxPerEndpointPerPass;
        var sent = 0;
        while (endpoint is { Enabled: true } && sent < limit)
        {
            var batch = await db.Set<WebhookDelivery>().Where(d => d.EndpointId == endpointId && d.Status == DeliveryStatus.Pending)
                .OrderBy(d => d.Id).Take(Math.Min(100, limit - sent)).ToListAsync(ct);
            if (batch.Count == 0) break;
            var ids = batch.Select(d => d.MessageId).Distinct().ToList();
            var messages = await db.Set<WebhookMessage>().AsNoTracking().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
            foreach (var delivery in batch)
            {
                var now = clock.GetCurrentInstant();
                if (delivery.NextAttemptAt > now) return sent;
                var result = await SendAsync(endpoint, messages[delivery.MessageId], ct);
                var disable = Record(db, endpoint, delivery, result, now);
                await db.SaveChangesAsync(ct);
                if (result.Succeeded)
                {
                    sent++;
                    if (endpoint.ConsecutiveFailures > 0) endpoint = await SetFailuresAsync(db, endpoint, 0, ct);
                    continue;
                }
                endpoint = await SetFailuresAsync(db, endpoint, endpoint.ConsecutiveFailures + 1, ct);
                if (disable is not null) await DisableAsync(db, endpointId, disable, now, ct);
                return sent;
            }
            db.ChangeTracker.Clear();
        }
        return sent;
    }

    /// <summary>Applies an attempt's result to the delivery and logs it; returns a reason when the endpoint must be disabled.</summary>
    private static string? Record(PortierDbContext db, WebhookEndpoint endpoint, WebhookDelivery delivery, SendResult result, Instant now)
    {
        delivery.Attempts++;
        delivery.LastAttemptAt = now;
        delivery.LastStatusCode = result.StatusCode;
        delivery.LastError = result.Error;
        db.Add(new WebhookAttempt
        {
            DeliveryId = delivery.Id, EndpointId = endpoint.Id, At = now, StatusCode = result.StatusCode, DurationMs = result.DurationMs, Error = result.Error,
        });
        if (result.Succeeded)
        {
            delivery.Status = DeliveryStatus.Succeeded;
            return null;
        }
        if (result.StatusCode == (int)HttpStatusCode.Gone)
        {
            delivery.Status = DeliveryStatus.Failed;
            return "gone";
        }
        if (result.RetryAfter is { } retryAfter)
        {
            delivery.NextAttemptAt = now + Duration.FromTimeSpan(TimeSpan.FromTicks(Math.Clamp(retryAfter.Ticks, TimeSpan.TicksPerSecond, TimeSpan.TicksPerDay)));
            return null;
        }
        if (delivery.Attempts > RetrySchedule.Count)
        {
            delivery.Status = DeliveryStatus.Failed;
            return "failing";
        }
        delivery.NextAttemptAt = now + Jittered(RetrySchedule[delivery.Attempts - 1]);
        return null;
    }

    /// <summary>±10 %, so endpoints that failed together do not all retry at the same instant.</summary>
    private static Duration Jittered(Duration wait) =>
        Duration.FromMilliseconds(wait.TotalMilliseconds * (0.9 + RandomNumberGenerator.GetInt32(0, 2001) / 10_000.0));

    private static async Task<WebhookEndpoint> SetFailuresAsync(PortierDbContext db, WebhookEndpoint endpoint, int failures, CancellationToken ct)
    {
        // Counted outside the change tracker: the counter is bookkeeping, not an audited change.
        await db.Set<WebhookEndpoint>().Where(e => e.Id == endpoint.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.ConsecutiveFailures, failures), ct);
        endpoint.ConsecutiveFailures = failures;
        return endpoint;
    }

    /// <summary>Disabling is an audited change (actor "system"), visible in the audit trail and on the endpoint.</summary>
    private async Task DisableAsync(PortierDbContext db, Guid endpointId, string reason, Instant now, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var endpoint = await db.Set<WebhookEndpoint>().FirstAsync(e => e.Id == endpointId, ct);
        endpoint.Enabled = false;
        endpoint.DisabledReason = reason;
        endpoint.DisabledAt = now;
        await db.SaveChangesAsync(ct);
        LogDisabled(logger, endpointId, reason);
    }

    private async Task<SendResult> SendAsync(WebhookEndpoint endpoint, WebhookMessage message, CancellationToken ct)
    {
        var result = await outbound.PostAsync(
            new OutboundCall(endpoint.Url, endpoint.Secret, message.Id, Encoding.UTF8.GetBytes(message.Body), options.CurrentValue.Timeout), ct);
        var error = result.Failure switch
        {
            null => result.Succeeded ? null : $"http_{result.StatusCode}",
            OutboundFailure.Timeout => "timeout",
            OutboundFailure.AddressNotAllowed => AddressNotAllowedException.Code,
            OutboundFailure.ConnectionFailed => "connection_failed: " + result.Error,
            _ => throw new System.Diagnostics.UnreachableException(),
        };
        var retryAfter = result.StatusCode is 429 or 503 ? result.RetryAfter : null;
        return new SendResult(result.Succeeded, result.StatusCode, result.DurationMs, error is { Length: > 500 } ? error[..500] : error, retryAfter);
    }

    private sealed record SendResult(bool Succeeded, int? StatusCode, int DurationMs, string? Error, TimeSpan? RetryAfter);

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook dispatch pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} disabled: {Reason}")]
    private static partial void LogDisabled(ILogger logger, Guid endpointId, string reason);
}
