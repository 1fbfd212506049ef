using NodaTime;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;

namespace Portier.Server.Features.Guessing;

/// <summary>
/// Every few seconds on the injected clock: clears the alarms of bursts that are over and forgets idle counters.
/// Runs on every node without a lease: the counters it forgets are this node's memory and the rows it
/// deletes are idle for good, so doing either twice is harmless. Which bursts are over is judged from this
/// node's counters: with several nodes that judgement needs the counters shared between them.
/// </summary>
public sealed class GuessingSweeper(GuessingLimiter limiter, TimeProvider clock, ILogger<GuessingSweeper> logger) : PeriodicWorker(logger)
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);

    protected override TimeProvider Clock => clock;

    protected override TimeSpan Interval => SweepInterval;

    protected override TimeSpan FirstPassDelay => SweepInterval;

    protected override async Task<Instant?> RunPassAsync(CancellationToken ct)
    {
        await limiter.SweepAsync(clock.GetCurrentInstant(), ct);
        return null;
    }
}
