using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Portier.Core.Devices;

namespace Portier.Simulator;

/// <summary>
/// Scans at a fixed rate, round-robin over the devices and the cards, and measures scan-to-command
/// latency: from just before the scan is published to the moment its command (matched by scan id)
/// arrives at the device. Prints a line per second while running and a summary at the end.
/// </summary>
public sealed class LoadRun
{
    private readonly ConcurrentDictionary<Guid, long> _sent = new();
    private readonly double[] _latencies;
    private readonly ConcurrentDictionary<string, int> _kinds = new();
    private int _answered;
    private int _late;
    private int _publishFailed;

    private LoadRun(int total) => _latencies = new double[total];

    /// <summary>Runs the load; the summary's closing line starts with <paramref name="label"/> for scripts to pick up.</summary>
    public static async Task<int> RunAsync(
        IReadOnlyList<SimulatedDevice> devices, IReadOnlyList<string> cards, int rate, TimeSpan duration, TimeSpan answerWait, CancellationToken ct, string label = "result")
    {
        var total = (int)Math.Round(rate * duration.TotalSeconds);
        var run = new LoadRun(total);
        foreach (var device in devices) device.CommandReceived += run.OnCommand;
        Console.WriteLine($"{total} scans at {rate}/s over {devices.Count} device(s) and {cards.Count} card(s)...");
        var start = Stopwatch.GetTimestamp();
        using var progress = new CancellationTokenSource();
        var printing = run.PrintProgressAsync(start, progress.Token);
        var issued = await run.ScanAsync(devices, cards, rate, total, start, ct);
        var waitFrom = Stopwatch.GetTimestamp();
        while (!run._sent.IsEmpty && Stopwatch.GetElapsedTime(waitFrom) < answerWait) await Task.Delay(50, CancellationToken.None);
        await progress.CancelAsync();
        await printing;
        foreach (var device in devices) device.CommandReceived -= run.OnCommand;
        return run.Summarize(label, rate, issued, Stopwatch.GetElapsedTime(start));
    }

    private async Task<int> ScanAsync(IReadOnlyList<SimulatedDevice> devices, IReadOnlyList<string> cards, int rate, int total, long start, CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var issued = 0;
        try
        {
            for (; issued < total; issued++)
            {
                // Scans falling due while the timer slept go out at once: the schedule, not the timer, sets the rate.
                var due = interval * issued - Stopwatch.GetElapsedTime(start);
                if (due > TimeSpan.FromMilliseconds(1)) await Task.Delay(due, ct);
                var scanId = Guid.CreateVersion7();
                _sent[scanId] = Stopwatch.GetTimestamp();
                _ = PublishAsync(devices[issued % devices.Count], cards[issued % cards.Count], scanId, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return issued;
    }

    private async Task PublishAsync(SimulatedDevice device, string card, Guid scanId, CancellationToken ct)
    {
        try
        {
            await device.ScanAsync(card, scanId, ct);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _publishFailed);
        }
    }

    private void OnCommand(SimulatedDevice device, CommandMessage command, bool inTime, long arrivedAt)
    {
        if (command.ScanId is not { } scanId || !_sent.TryRemove(scanId, out var sentAt)) return;
        var index = Interlocked.Increment(ref _answered) - 1;
        if (index < _latencies.Length) _latencies[index] = Stopwatch.GetElapsedTime(sentAt, arrivedAt).TotalMilliseconds;
        _kinds.AddOrUpdate(command.Type.ToString().ToLowerInvariant(), 1, (_, n) => n + 1);
        if (!inTime) Interlocked.Increment(ref _late);
    }

    private async Task PrintProgressAsync(long start, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var seen = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var answered = Math.Min(Volatile.Read(ref _answered), _latencies.Length);
                var second = _latencies[seen..answered];
                Array.Sort(second);
                seen = answered;
                var last = second.Length == 0 ? "no answers" : $"p50 {Percentile(second, 0.50):F1}  p99 {Percentile(second, 0.99):F1}  max {second[^1]:F1} ms";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Stopwatch.GetElapsedTime(start).TotalSeconds,5:F0}s  answered {answered,8}  in flight {_sent.Count,6}  last second: {second.Length,5}/s  {last}"));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private int Summarize(string label, int rate, int issued, TimeSpan elapsed)
    {
        var answered = Math.Min(_answered, _latencies.Length);
        var sorted = _latencies[..answered];
        Array.Sort(sorted);
        var kinds = string.Join(", ", _kinds.OrderBy(k => k.Key).Select(k => $"{k.Value} {k.Key}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sent {issued}, answered {answered} ({kinds}), unanswered {_sent.Count}, past deadline {_late}, publish failed {_publishFailed}, in {elapsed.TotalSeconds:F1} s"));
        if (sorted.Length > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"scan-to-command latency ms: p50 {Percentile(sorted, 0.50):F1}  p99 {Percentile(sorted, 0.99):F1}  p99.9 {Percentile(sorted, 0.999):F1}  max {sorted[^1]:F1}"));
        }
        // One line for scripts to pick up.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label} rate={rate} sent={issued} answered={answered} unanswered={_sent.Count} late={_late} p50={Percentile(sorted, 0.50):F1} p99={Percentile(sorted, 0.99):F1} max={(sorted.Length > 0 ? sorted[^1] : 0):F1}"));
        return _sent.IsEmpty && answered == issued ? 0 : 2;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
