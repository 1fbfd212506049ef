using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Portier.Benchmarks;

/// <summary>
/// A closed-loop HTTP load generator: a fixed number of keep-alive connections, each sending its next
/// request as soon as the previous answer arrived. Requests come in turn from a file of
/// "METHOD PATH&lt;TAB&gt;JSON BODY" lines. After an unmeasured warm-up, every request of the measured
/// window has its latency recorded (all of them, sorted at the end for the percentiles), and the
/// server's CPU time over exactly that window is read from /proc/&lt;pid&gt;/stat.
/// </summary>
internal static class HttpLoad
{
    /// <summary>Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every mainstream architecture.</summary>
    private const double TicksPerSecond = 100;

    public sealed record Options(Uri BaseUrl, string RequestsFile, int Connections, TimeSpan Duration, TimeSpan Warmup, string? Token, int? ServerPid, string Label);

    private sealed record Request(HttpMethod Method, string Path, byte[] Body);

    private sealed class Worker
    {
        public readonly List<long> Latencies = new(1 << 16);
        public long Completed;
        public long Errors;
        public long WindowTicks;
        public int WindowCount;
    }

    public static Options? Parse(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        if (Value("--url") is not { } url || Value("--requests") is not { } file)
        {
            Console.Error.WriteLine("usage: http-load --url URL --requests FILE [--connections 64] [--duration 20] [--warmup 5] [--token T] [--pid SERVER_PID] [--label NAME]");
            return null;
        }
        int Int(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Options(new Uri(url), file, Int("--connections", 64), TimeSpan.FromSeconds(Int("--duration", 20)), TimeSpan.FromSeconds(Int("--warmup", 5)),
            Value("--token"), Value("--pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null, Value("--label") ?? "http");
    }

    public static async Task<int> RunAsync(Options options)
    {
        var requests = File.ReadLines(options.RequestsFile).Where(l => l.Length > 0).Select(ParseLine).ToArray();
        if (requests.Length == 0)
        {
            Console.Error.WriteLine($"no requests in {options.RequestsFile}");
            return 2;
        }
        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        { BaseAddress = options.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (options.Token is { } token) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var workers = Enumerable.Range(0, options.Connections).Select(_ => new Worker()).ToArray();
        var next = -1L;
        var started = Stopwatch.GetTimestamp();
        var measureFrom = started + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        var measureUntil = measureFrom + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
        string? firstError = null;

        async Task LoopAsync(Worker worker)
        {
            while (true)
            {
                var request = requests[(int)(Interlocked.Increment(ref next) % requests.Length)];
                var sent = Stopwatch.GetTimestamp();
                if (sent >= measureUntil) return;
                using var message = new HttpRequestMessage(request.Method, request.Path) { Content = new ByteArrayContent(request.Body) };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var ok = false;
                try
                {
                    using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead);
                    ok = response.IsSuccessStatusCode;
                    if (!ok) Interlocked.CompareExchange(ref firstError, $"{(int)response.StatusCode} {request.Method} {request.Path}: {await response.Content.ReadAsStringAsync()}", null);
                }
                catch (HttpRequestException e)
                {
                    Interlocked.CompareExchange(ref firstError, $"{request.Method} {request.Path}: {e.Message}", null);
                }
                var answered = Stopwatch.GetTimestamp();
                if (!ok) Interlocked.Increment(ref worker.Errors);
                Interlocked.Increment(ref worker.Completed);
                if (sent >= measureFrom && ok)
                {
                    worker.Latencies.Add(answered - sent);
                    Interlocked.Add(ref worker.WindowTicks, answered - sent);
                    Interlocked.Increment(ref worker.WindowCount);
                }
            }
        }

        Console.WriteLine($"== {options.Label}: {options.Connections} connections, {options.Warmup.TotalSeconds:F0} s warm-up, {options.Duration.TotalSeconds:F0} s measured, {requests.Length} distinct requests");
        var loops = workers.Select(w => Task.Run(() => LoopAsync(w))).ToArray();
        // The server's CPU time at the start and the end of exactly the measured window.
        var cpu = options.ServerPid is { } pid ? Task.Run(async () =>
        {
            await Task.Delay(options.Warmup);
            var before = ServerCpuTicks(pid);
            await Task.Delay(options.Duration);
            return (ServerCpuTicks(pid) - before) / TicksPerSecond;
        }) : Task.FromResult(double.NaN);
        var (lastCompleted, lastTicks, lastCount) = (0L, 0L, 0L);
        var second = 0;
        while (!Task.WhenAll(loops).IsCompleted)
        {
            await Task.WhenAny(Task.WhenAll(loops), Task.Delay(1000));
            var now = Stopwatch.GetTimestamp();
            var completed = workers.Sum(w => Interlocked.Read(ref w.Completed));
            var ticks = workers.Sum(w => Interlocked.Read(ref w.WindowTicks));
            var count = workers.Sum(w => (long)Volatile.Read(ref w.WindowCount));
            var mean = count > lastCount ? (ticks - lastTicks) * 1000.0 / Stopwatch.Frequency / (count - lastCount) : double.NaN;
            var phase = now < measureFrom ? "warmup" : "measure";
            Console.WriteLine(FormattableString.Invariant($"{options.Label} {phase} t={++second}s requests/s={completed - lastCompleted} mean_ms={mean:F2} errors={workers.Sum(w => Interlocked.Read(ref w.Errors))}"));
            (lastCompleted, lastTicks, lastCount) = (completed, ticks, count);
        }
        await Task.WhenAll(loops);
        var serverCpu = await cpu;

        var latencies = workers.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(latencies);
        var errors = workers.Sum(w => w.Errors);
        double Ms(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))] * 1000.0 / Stopwatch.Frequency;
        var seconds = options.Duration.TotalSeconds;
        var rate = latencies.Length / seconds;
        var cpuPerRequest = latencies.Length > 0 ? serverCpu * 1e6 / latencies.Length : double.NaN;
        if (firstError is not null) Console.WriteLine($"first error: {firstError}");
        Console.WriteLine(FormattableString.Invariant(
            $"result {options.Label} requests/s={rate:F0} p50_ms={Ms(0.50):F2} p90_ms={Ms(0.90):F2} p99_ms={Ms(0.99):F2} max_ms={Ms(1.0):F2} ok={latencies.Length} errors={errors} server_cpu_s={serverCpu:F2} server_cpu_us_per_request={cpuPerRequest:F0}"));
        return errors > 0 && latencies.Length == 0 ? 1 : 0;
    }

    private static Request ParseLine(string line)
    {
        var tab = line.IndexOf('\t', StringComparison.Ordinal);
        var head = tab < 0 ? line : line[..tab];
        var space = head.IndexOf(' ', StringComparison.Ordinal);
        return new Request(new HttpMethod(head[..space]), head[(space + 1)..], Encoding.UTF8.GetBytes(tab < 0 ? "" : line[(tab + 1)..]));
    }

    /// <summary>utime + stime of the process (fields 14 and 15 of /proc/&lt;pid&gt;/stat, counted after the parenthesised name).</summary>
    private static long ServerCpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
