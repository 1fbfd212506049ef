using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace Portier.Cluster.Tests.Harness;

/// <summary>
/// One server node: <c>dotnet Portier.Server.dll</c> in a process of its own on a loopback port the
/// kernel picks (read back from the node's own "Now listening on" line), its output kept for failure messages.
/// </summary>
public sealed partial class ServerNode : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);

    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string _logFile;
    private readonly StringBuilder _log = new();
    private readonly Lock _logGate = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;

    public ServerNode(string name, IReadOnlyDictionary<string, string> settings, string logFolder)
    {
        Name = name;
        _settings = settings;
        _logFile = Path.Combine(logFolder, $"{name}.log");
    }

    public string Name { get; }
    public Uri BaseAddress { get; private set; } = null!;
    public int ProcessId => _process?.Id ?? 0;
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the process and waits until it listens and answers <c>/health/ready</c>.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        var dll = ServerBuild.DllPath;
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Capture(e.Data);
        _process.ErrorDataReceived += (_, e) => Capture(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(StartLimit);
        var exited = _process.WaitForExitAsync(limit.Token);
        try
        {
            var first = await Task.WhenAny(_listening.Task, exited);
            if (first == exited) throw new InvalidOperationException($"Node {Name} exited during start (code {_process.ExitCode}).\n{Tail()}");
            BaseAddress = await _listening.Task;
            using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            while (true)
            {
                limit.Token.ThrowIfCancellationRequested();
                if (_process.HasExited) throw new InvalidOperationException($"Node {Name} exited during start (code {_process.ExitCode}).\n{Tail()}");
                try
                {
                    using var ready = await http.GetAsync("/health/ready", limit.Token);
                    if (ready.IsSuccessStatusCode) return;
                }
                catch (HttpRequestException)
                {
                    // Not answering yet.
                }
                await Task.Delay(200, limit.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Node {Name} was not ready within {StartLimit}.\n{Tail()}");
        }
    }

    /// <summary>The node dies at once, as with <c>kill -9</c>: no shutdown, no flushing, no goodbye to the broker.</summary>
    public void Kill()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>CPU time the node's process has used so far (user and system).</summary>
    public TimeSpan CpuTime()
    {
        if (_process is null) return TimeSpan.Zero;
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public HttpClient Client(string? token = Cluster.AdminToken)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The last lines the node wrote, for a failure message.</summary>
    public string Tail(int characters = 6_000)
    {
        lock (_logGate)
        {
            var text = _log.ToString();
            return $"--- {Name} ({_logFile}) ---\n" + (text.Length <= characters ? text : "…" + text[^characters..]);
        }
    }

    private void Capture(string? line)
    {
        if (line is null) return;
        lock (_logGate)
        {
            _log.AppendLine(line);
            File.AppendAllText(_logFile, line + Environment.NewLine);
        }
        if (ListeningLine().Match(line) is { Success: true } match) _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        Kill();
        if (_process is not null) await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process?.Dispose();
    }
}

/// <summary>Where the test build put the server: the same configuration as the tests, next to its project.</summary>
public static class ServerBuild
{
    public static string DllPath { get; } = Locate();

    private static string Locate()
    {
        // tests/Portier.Cluster.Tests/bin/<Configuration>/net10.0/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Portier.slnx"))) continue;
            var dll = Path.Combine(dir.FullName, "src", "Portier.Server", "bin", configuration, framework, "Portier.Server.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("The server is not built next to the tests.", dll);
        }
        throw new InvalidOperationException("Portier.slnx not found above the test's folder.");
    }
}
