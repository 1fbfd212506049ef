using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Portier.Server.Tests.Fuzzing;

/// <summary>
/// One target's run: how many cases (<c>PORTIER_FUZZ_CASES</c>, a short sample by default so CI runs
/// every target), from which seed (<c>PORTIER_FUZZ_SEED</c>, random by default and named in every
/// failure so a run can be repeated), how each case was answered, and the first few cases that broke a rule.
/// <c>scripts/fuzz.sh</c> sets <c>PORTIER_FUZZ_REPORT</c> to a file that receives progress and the figures.
/// </summary>
public sealed class FuzzRun(string target)
{
    private const int DefaultCases = 300;
    private const int KeptFailures = 5;

    private readonly ConcurrentDictionary<string, int> _answers = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private int _done;
    private int _failed;

    public int Cases { get; } = int.TryParse(Environment.GetEnvironmentVariable("PORTIER_FUZZ_CASES"), out var n) && n > 0 ? n : DefaultCases;

    public ulong Seed { get; } = ulong.TryParse(Environment.GetEnvironmentVariable("PORTIER_FUZZ_SEED"), out var s) ? s : (ulong)System.Random.Shared.NextInt64();

    public int Failed => _failed;

    /// <summary>Runs <paramref name="check"/> over every case, <paramref name="parallel"/> at a time.</summary>
    public async Task RunAsync<T>(IEnumerable<T> cases, int parallel, Func<T, Task<string>> check)
    {
        Report($"fuzz {target}: {Cases:N0} cases from seed {Seed}");
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = TestContext.Current.CancellationToken },
            async (item, _) =>
            {
                _answers.AddOrUpdate(await check(item), 1, (_, count) => count + 1);
                var done = Interlocked.Increment(ref _done);
                if (done % 10_000 == 0) Report($"fuzz {target}: {done:N0} of {Cases:N0} in {_elapsed.Elapsed.TotalSeconds:0} s");
            });
    }

    /// <summary>A case broke a rule: counted, and the first few kept for the failure message.</summary>
    public void Fail(string rule, string input)
    {
        if (Interlocked.Increment(ref _failed) <= KeptFailures)
            _failures.Enqueue($"{rule}: {Printable(input)}");
    }

    /// <summary>Fails the test when any case broke a rule; otherwise records the figures.</summary>
    public void AssertClean(string extra = "")
    {
        var answers = string.Join(", ", _answers.OrderByDescending(a => a.Value).Select(a => $"{a.Key} {a.Value:N0}"));
        var summary = $"fuzz {target}: {_done:N0} cases in {_elapsed.Elapsed.TotalSeconds:0.0} s " +
            $"({_done / Math.Max(_elapsed.Elapsed.TotalSeconds, 0.001):N0}/s), {_failed:N0} broke a rule{extra}; answers: {answers}";
        Report(summary);
        Assert.True(_failed == 0, $"{summary}\nseed {Seed} (PORTIER_FUZZ_SEED={Seed} repeats it)\n{string.Join("\n", _failures)}");
        Assert.Equal(Cases, _done);
    }

    private static void Report(string line)
    {
        if (Environment.GetEnvironmentVariable("PORTIER_FUZZ_REPORT") is { Length: > 0 } file)
            File.AppendAllText(file, $"{DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {line}\n");
    }

    private static string Printable(string input)
    {
        var shown = input.Length > 300 ? input[..300] + $"… ({input.Length:N0} chars)" : input;
        return string.Concat(shown.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
