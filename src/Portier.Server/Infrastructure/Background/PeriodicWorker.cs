using NodaTime;

namespace Portier.Server.Infrastructure.Background;

/// <summary>
/// The one loop every polling service runs: a pass, then a wait until the instant the pass says
/// it is next due (at most <see cref="Interval"/>; <see cref="Interval"/> when it names none), or
/// until <see cref="Wake"/> is called. Waits run on the injected <see cref="TimeProvider"/>, so a
/// <c>FakeTimeProvider</c> drives the loop in tests. A failed pass is logged and the next one comes
/// after <see cref="Interval"/>; shutdown cancels the pass and the wait, so the service stops promptly.
/// </summary>
public abstract partial class PeriodicWorker(ILogger logger, WakeSignal? wakeSignal = null) : BackgroundService
{
    private readonly WakeSignal _wake = wakeSignal ?? new WakeSignal();

    /// <summary>The clock the waits run on: the service's injected <see cref="TimeProvider"/>.</summary>
    protected abstract TimeProvider Clock { get; }

    /// <summary>The longest wait between passes; also the wait after a pass that names no due instant, or fails.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>A wait before the first pass (zero: the first pass runs at start).</summary>
    protected virtual TimeSpan FirstPassDelay => TimeSpan.Zero;

    /// <summary>False keeps the service idle (switched off by configuration).</summary>
    protected virtual bool Enabled => true;

    /// <summary>
    /// One pass. Returns when the next pass is due: null for after <see cref="Interval"/>, an instant
    /// at or before now for at once (more work is waiting).
    /// </summary>
    protected abstract Task<Instant?> RunPassAsync(CancellationToken ct);

    /// <summary>Runs a pass as soon as the current one (if any) ends.</summary>
    public void Wake() => _wake.Wake();

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        try
        {
            if (FirstPassDelay > TimeSpan.Zero) await Task.Delay(FirstPassDelay, Clock, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = Interval;
                try
                {
                    if (await RunPassAsync(stoppingToken) is { } due) wait = Until(due, wait);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogPassFailed(logger, GetType().Name, e);
                }
                if (wait > TimeSpan.Zero) await WaitAsync(wait, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the pass or the wait was cancelled.
        }
    }

    private TimeSpan Until(Instant due, TimeSpan longest)
    {
        var until = (due - Clock.GetCurrentInstant()).ToTimeSpan();
        return until <= TimeSpan.Zero ? TimeSpan.Zero : until < longest ? until : longest;
    }

    /// <summary>Returns after <paramref name="wait"/> on the injected clock or at a wake-up, whichever comes first.</summary>
    private async Task WaitAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(wait, Clock, either.Token);
        var woken = _wake.WaitAsync(either.Token).AsTask();
        await Task.WhenAny(delay, woken);
        await either.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Worker}: a pass failed; the next one runs after the interval")]
    private static partial void LogPassFailed(ILogger logger, string worker, Exception exception);
}
