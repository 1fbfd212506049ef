using System.Threading.Channels;

namespace Portier.Server.Infrastructure.Background;

/// <summary>
/// Asks a <see cref="PeriodicWorker"/> for a pass now instead of at its next due instant. A wake-up
/// that arrives while a pass runs is kept, so work committed during a pass is never left waiting
/// for the interval; several wake-ups before the next wait make one pass.
/// </summary>
public class WakeSignal
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Wake() => _signal.Writer.TryWrite(true);

    /// <summary>Completes at the next wake-up (or at once if one is kept), consuming it; cancelled by <paramref name="ct"/>.</summary>
    internal ValueTask<bool> WaitAsync(CancellationToken ct) => _signal.Reader.ReadAsync(ct);
}
