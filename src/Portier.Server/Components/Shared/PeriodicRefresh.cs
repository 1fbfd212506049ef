namespace Portier.Server.Components.Shared;

/// <summary>
/// Calls back on an interval while a live page is open (zone occupancy, webhook deliveries). The callback never
/// overlaps itself; disposing stops it. Pages whose changes are on the live stream follow it
/// instead (<see cref="SiteLiveEvents"/>).
/// </summary>
public sealed class PeriodicRefresh : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public PeriodicRefresh(TimeSpan interval, Func<Task> tick)
    {
        _ = RunAsync(interval, tick, _stop.Token);
    }

    private static async Task RunAsync(TimeSpan interval, Func<Task> tick, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) await tick();
        }
        catch (OperationCanceledException)
        {
            // The page closed.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
