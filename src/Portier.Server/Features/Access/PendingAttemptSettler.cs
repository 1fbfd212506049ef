using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Access;

/// <summary>
/// Settles, at start-up, the attempts an earlier run left pending: a granted attempt whose outcome row
/// was never written, because the process was killed between the command and its ack or deadline (or
/// the database failed when the outcome came). Each gets its outcome row, <c>timed_out</c> (no
/// confirmation was recorded), so the log never shows an attempt waiting forever. Only attempts from
/// before this start are touched, looking back <see cref="Lookback"/>: first those older than
/// <see cref="Grace"/> (another node's attempts in flight complete well within it: a command's
/// deadline is 5 s), then, <see cref="Grace"/> later on the injected clock, the rest.
/// Nodes starting together settle one batch at a time under one cross-node lock, each reading the
/// orphans after the previous batch's outcomes are written, so no attempt gets two outcome rows.
/// </summary>
public sealed partial class PendingAttemptSettler(
    IServiceScopeFactory scopes,
    AccessEventWriter events,
    Leases leases,
    TimeProvider clock,
    ILogger<PendingAttemptSettler> logger) : BackgroundService
{
    public static readonly Duration Grace = Duration.FromMinutes(1);
    public static readonly Duration Lookback = Duration.FromDays(30);
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = clock.GetCurrentInstant();
        try
        {
            await PassAsync(started - Grace, stoppingToken);
            await Task.Delay(Grace.ToTimeSpan(), clock, stoppingToken);
            await PassAsync(started, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the next start settles what is left.
        }
    }

    private async Task PassAsync(Instant before, CancellationToken ct)
    {
        try
        {
            while (await SettleAsync(clock.GetCurrentInstant() - Lookback, before, ct) == Batch)
            {
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogFailed(logger, e);
        }
    }

    /// <summary>Writes a <c>timed_out</c> outcome row for up to one batch of granted attempts in [from, before) that have none; returns how many.</summary>
    public async Task<int> SettleAsync(Instant from, Instant before, CancellationToken ct)
    {
        await using var exclusive = await leases.ExclusiveAsync("pending-attempts", ct);
        List<AccessEvent> orphans;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var log = scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<AccessEvent>();
            orphans = await log.AsNoTracking()
                .Where(e => e.Outcome == ActuationOutcome.Pending && e.OutcomeOf == null && e.At >= from && e.At < before)
                .Where(e => !log.Any(o => o.OutcomeOf == e.Id))
                .OrderBy(e => e.At).Take(Batch)
                .ToListAsync(ct);
        }
        var now = clock.GetCurrentInstant();
        await Task.WhenAll(orphans.Select(o => events.AppendAsync(AccessPipeline.OutcomeRow(o, ActuationOutcome.TimedOut, null, now), ct)));
        if (orphans.Count > 0) LogSettled(logger, orphans.Count);
        return orphans.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settled {Count} attempts an earlier run left pending as timed_out")]
    private static partial void LogSettled(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Settling attempts left pending failed; the next start tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
