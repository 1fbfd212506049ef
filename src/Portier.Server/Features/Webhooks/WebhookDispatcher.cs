using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Server.Features.Alarms;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Webhooks;

/// <summary>
/// Sends committed deliveries. Per endpoint, deliveries go strictly in order: the oldest pending
/// one is retried (backoff with jitter over about 27 hours) and holds back the rest, so a receiver
/// that was down gets everything once, in order. A delivery that runs out of retries fails (it can be
/// replayed) and the next one is tried; an endpoint that fails every attempt for
/// <see cref="WebhookOptions.DisableAfter"/> (5 days), or answers 410 Gone, is disabled with an alarm. A pass claims an endpoint's next deliveries with
/// a lease before sending them (<see cref="WebhookClaims"/>), so server instances sharing a database
/// never send one delivery twice; within an instance passes never overlap. A success is recorded
/// before the next delivery is sent, so a crash resends at most the one in flight, once its lease lapses.
/// </summary>
public sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, OutboundClient outbound, WebhookWakeup wakeup, WebhookBacklog backlog, SystemAlarms alarms, TimeProvider clock,
    IOptionsMonitor<WebhookOptions> options, ILogger<WebhookDispatcher> logger) : PeriodicWorker(logger, wakeup)
{
    protected override TimeProvider Clock => clock;

    /// <summary>Deliveries claimed at a time; a failure releases the rest of them.</summary>
    private const int ClaimBatch = 100;

    private readonly SemaphoreSlim _gate = new(1, 1);

    protected override TimeSpan Interval => options.CurrentValue.PollInterval;

    /// <summary>
    /// A pass that sent something may have stopped at an endpoint's per-pass limit with more due: the
    /// next one runs at once. Only an idle pass waits for new deliveries or the poll interval.
    /// </summary>
    protected override async Task<Instant?> RunPassAsync(CancellationToken ct) =>
        await DispatchDueAsync(ct) > 0 ? clock.GetCurrentInstant() : null;

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
                await backlog.RefreshAsync(db, ct); // telemetry: the outbox gauges read this
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

    /// <summary>Claims and sends the endpoint's deliveries in order, up to the per-pass limit; returns how many succeeded.</summary>
    private async Task<int> DrainAsync(Guid endpointId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var endpoint = await db.Set<WebhookEndpoint>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == endpointId, ct);
        if (endpoint is not { Enabled: true }) return 0;
        var limit = options.CurrentValue.MaxPerEndpointPerPass;
        var failures = new FailureRun(endpoint.ConsecutiveFailures, endpoint.FailingSince);
        var sent = 0;
        while (sent < limit)
        {
            var claim = new Claim(Guid.NewGuid(), clock.GetCurrentInstant() + Lease);
            if (await WebhookClaims.ClaimAsync(db, endpointId, claim.Token, clock.GetCurrentInstant(), claim.Until, Math.Min(ClaimBatch, limit - sent), ct) == 0)
                break;
            try
            {
                var batch = await WebhookClaims.Claimed(db, endpointId, claim.Token).ToListAsync(ct);
                var ids = batch.Select(d => d.MessageId).Distinct().ToList();
                var messages = await db.Set<WebhookMessage>().AsNoTracking().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
                foreach (var delivery in batch)
                {
                    var now = clock.GetCurrentInstant();
                    if (!delivery.IsDue(now))
                    {
                        await WebhookClaims.ReleaseAsync(db, endpointId, claim.Token, ct);
                        return sent;
                    }
                    if (!await HoldAsync(db, endpointId, claim, now, ct))
                    {
                        LogClaimLost(logger, endpointId);
                        return sent;
                    }
                    var result = await SendAsync(endpoint, messages[delivery.MessageId], ct);
                    var gone = delivery.RecordAttempt(result.Succeeded, result.StatusCode, result.Error, result.RetryAfter, now);
                    db.Add(new WebhookAttempt
                    {
                        DeliveryId = delivery.Id, EndpointId = endpointId, At = now, StatusCode = result.StatusCode, DurationMs = result.DurationMs, Error = result.Error,
                    });
                    await db.SaveChangesAsync(ct);
                    if (result.Succeeded)
                    {
                        sent++;
                        if (failures.Count > 0) failures = await SetFailuresAsync(db, endpointId, FailureRun.None, ct);
                        continue;
                    }
                    failures = await SetFailuresAsync(db, endpointId, new FailureRun(failures.Count + 1, failures.Since ?? now), ct);
                    await WebhookClaims.ReleaseAsync(db, endpointId, claim.Token, ct);
                    var disable = WebhookEndpoint.DisableReason(gone, failures.Since!.Value, now, Duration.FromTimeSpan(options.CurrentValue.DisableAfter));
                    if (disable is not null) await DisableAsync(db, endpointId, disable, now, ct);
                    return sent;
                }
                db.ChangeTracker.Clear();
            }
            catch (DbUpdateConcurrencyException)
            {
                // The lease lapsed and another instance took the deliveries over: they are its to send now.
                LogClaimLost(logger, endpointId);
                return sent;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopping: what is claimed but unsent goes back at once rather than when the lease lapses.
                await WebhookClaims.ReleaseAsync(db, endpointId, claim.Token, CancellationToken.None);
                throw;
            }
        }
        return sent;
    }

    private Duration Lease => Duration.FromTimeSpan(options.CurrentValue.ClaimLease);

    /// <summary>A pass's claim: its token and when its lease lapses (renewed as sending goes on).</summary>
    private sealed class Claim(Guid token, Instant until)
    {
        public Guid Token { get; } = token;
        public Instant Until { get; set; } = until;
    }

    /// <summary>Makes sure the claim outlasts one more send (the timeout); false when it was lost.</summary>
    private async Task<bool> HoldAsync(PortierDbContext db, Guid endpointId, Claim claim, Instant now, CancellationToken ct)
    {
        if (claim.Until >= now + Duration.FromTimeSpan(options.CurrentValue.Timeout)) return true;
        claim.Until = now + Lease;
        return await WebhookClaims.RenewAsync(db, endpointId, claim.Token, claim.Until, ct);
    }

    /// <summary>The endpoint's failed attempts since its last success, and when the first of them was.</summary>
    private sealed record FailureRun(int Count, Instant? Since)
    {
        public static readonly FailureRun None = new(0, null);
    }

    private static async Task<FailureRun> SetFailuresAsync(PortierDbContext db, Guid endpointId, FailureRun failures, CancellationToken ct)
    {
        // Counted outside the change tracker: the counter is bookkeeping, not an audited change.
        await db.Set<WebhookEndpoint>().Where(e => e.Id == endpointId)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ConsecutiveFailures, failures.Count).SetProperty(e => e.FailingSince, failures.Since), ct);
        return failures;
    }

    /// <summary>
    /// Disabling is an audited change (actor "system"), visible in the audit trail and on the endpoint;
    /// the alarm that tells the admins is saved with it.
    /// </summary>
    private async Task DisableAsync(PortierDbContext db, Guid endpointId, string reason, Instant now, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var endpoint = await db.Set<WebhookEndpoint>().FirstAsync(e => e.Id == endpointId, ct);
        endpoint.Disable(reason, now);
        var alarm = await alarms.RaiseAsync(db, AlarmKind.WebhookEndpointDisabled, endpoint.SiteId, endpointId, DisabledDetail(endpoint, reason), now, ct);
        await db.SaveChangesAsync(ct);
        LogDisabled(logger, endpointId, reason);
        await alarms.PublishAsync([alarm], ct);
    }

    private static string DisabledDetail(WebhookEndpoint endpoint, string reason) => reason == WebhookEndpoint.Gone
        ? $"Webhook endpoint {endpoint.Url} answered 410 Gone and was disabled. Fix the receiver, enable the endpoint and replay the failed deliveries."
        : $"Webhook endpoint {endpoint.Url} failed every attempt since {endpoint.FailingSince} and was disabled. Fix the receiver, enable the endpoint " +
          "(its held deliveries go out at once) and replay the failed deliveries.";

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook deliveries of endpoint {EndpointId}: the claim lapsed and another server instance took them over")]
    private static partial void LogClaimLost(ILogger logger, Guid endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} disabled: {Reason}")]
    private static partial void LogDisabled(ILogger logger, Guid endpointId, string reason);
}
