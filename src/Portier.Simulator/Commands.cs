using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Portier.Core.Devices;

namespace Portier.Simulator;

/// <summary>What each simulator command does; Program.cs only parses the command line.</summary>
public static class Commands
{
    private static readonly TimeProvider Clock = TimeProvider.System;
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(10);

    private sealed record PairReply(Guid DeviceId, string Username, string Password, BrokerReply Mqtt);

    private sealed record BrokerReply(string Host, int Port, string TopicPrefix);

    public static async Task<int> PairAsync(Uri server, string code, Guid deviceId, string hardwareId, string file, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var response = await http.PostAsJsonAsync("/api/v1/devices/pair", new { pairingCode = code, deviceId, hardwareId }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            Console.Error.WriteLine($"Pairing failed ({(int)response.StatusCode}): {body}");
            return 1;
        }
        var reply = JsonSerializer.Deserialize<PairReply>(body, JsonSerializerOptions.Web)!;
        await DeviceFile.SaveAsync(file, new DeviceCredentials(reply.DeviceId, reply.Password, reply.Mqtt.Host, reply.Mqtt.Port), ct);
        Console.WriteLine($"Paired {reply.DeviceId}; broker {reply.Mqtt.Host}:{reply.Mqtt.Port}; credentials saved to {file}");
        return 0;
    }

    /// <summary>Keeps every device connected, sending heartbeats (unless silent) and printing commands until Ctrl+C.</summary>
    public static async Task<int> RunAsync(string file, TimeSpan heartbeat, bool silent, bool dropAcks, CancellationToken ct)
    {
        var devices = await ConnectAllAsync(file, dropAcks, ct);
        if (devices is null) return 1;
        foreach (var device in devices) device.CommandReceived += Print;
        Console.WriteLine($"{devices.Count} device(s) connected{(silent ? ", silent" : "")}{(dropAcks ? ", dropping acks" : "")}. Ctrl+C stops.");
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (!silent) await Task.WhenAll(devices.Select(d => d.HeartbeatAsync(ct)));
                await Task.Delay(heartbeat, Clock, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        await DisposeAllAsync(devices);
        return 0;
    }

    /// <summary>Presents a card at one device's reader and prints the answer.</summary>
    public static async Task<int> ScanAsync(string file, Guid? deviceId, string card, bool dropAcks, CancellationToken ct)
    {
        var all = await DeviceFile.LoadAsync(file, ct);
        var credentials = deviceId is { } id ? all.FirstOrDefault(d => d.DeviceId == id) : all.FirstOrDefault();
        if (credentials is null)
        {
            Console.Error.WriteLine($"No such device in {file}; pair one first.");
            return 1;
        }
        await using var device = await SimulatedDevice.ConnectAsync(credentials, Clock, dropAcks, ct);
        var answer = new TaskCompletionSource<CommandMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        Guid? scanId = null;
        device.CommandReceived += (_, command, _) =>
        {
            if (command.ScanId == scanId) answer.TrySetResult(command);
        };
        var started = Stopwatch.GetTimestamp();
        scanId = await device.ScanAsync(card, ct);
        try
        {
            var command = await answer.Task.WaitAsync(AnswerWait, ct);
            Console.WriteLine($"card {card}: {SimulatedDevice.Describe(command)} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
            return 0;
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"card {card}: no answer within {AnswerWait.TotalSeconds:F0} s");
            return 2;
        }
    }

    /// <summary>N scans per second for the duration, spread over the devices; prints scan-to-command latency.</summary>
    public static async Task<int> LoadAsync(string file, int rate, TimeSpan duration, string card, bool dropAcks, CancellationToken ct)
    {
        var devices = await ConnectAllAsync(file, dropAcks, ct);
        if (devices is null) return 1;
        var sent = new ConcurrentDictionary<Guid, long>();
        var latencies = new ConcurrentBag<double>();
        var kinds = new ConcurrentDictionary<string, int>();
        var late = 0;
        foreach (var device in devices)
        {
            device.CommandReceived += (_, command, inTime) =>
            {
                if (command.ScanId is not { } scanId || !sent.TryRemove(scanId, out var at)) return;
                latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                kinds.AddOrUpdate(command.Type.ToString().ToLowerInvariant(), 1, (_, n) => n + 1);
                if (!inTime) Interlocked.Increment(ref late);
            };
        }

        var total = (int)Math.Round(rate * duration.TotalSeconds);
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var start = Stopwatch.GetTimestamp();
        Console.WriteLine($"{total} scans at {rate}/s over {devices.Count} device(s)...");
        for (var i = 0; i < total && !ct.IsCancellationRequested; i++)
        {
            var due = interval * i - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero) await Task.Delay(due, Clock, ct);
            var device = devices[i % devices.Count];
            var at = Stopwatch.GetTimestamp();
            var scanId = Guid.CreateVersion7();
            sent[scanId] = at;
            _ = device.ScanAsync(card, scanId, ct);
        }
        var waitUntil = Stopwatch.GetTimestamp();
        while (!sent.IsEmpty && Stopwatch.GetElapsedTime(waitUntil) < AnswerWait) await Task.Delay(50, ct);

        var sorted = latencies.Order().ToArray();
        Console.WriteLine($"sent {total}, answered {sorted.Length} ({string.Join(", ", kinds.Select(k => $"{k.Value} {k.Key}"))}), unanswered {sent.Count}, past deadline {late}");
        if (sorted.Length > 0)
            Console.WriteLine($"scan-to-command latency ms: p50 {Percentile(sorted, 0.50):F1}  p99 {Percentile(sorted, 0.99):F1}  max {sorted[^1]:F1}");
        await DisposeAllAsync(devices);
        return sent.IsEmpty ? 0 : 2;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static void Print(SimulatedDevice device, CommandMessage command, bool inTime) =>
        Console.WriteLine($"{Clock.GetLocalNow():HH:mm:ss} {device.Id}: {SimulatedDevice.Describe(command)}{(inTime ? "" : " — past its deadline, dropped")}");

    private static async Task<List<SimulatedDevice>?> ConnectAllAsync(string file, bool dropAcks, CancellationToken ct)
    {
        var credentials = await DeviceFile.LoadAsync(file, ct);
        if (credentials.Count == 0)
        {
            Console.Error.WriteLine($"No devices in {file}; pair one first.");
            return null;
        }
        var devices = new List<SimulatedDevice>();
        foreach (var c in credentials) devices.Add(await SimulatedDevice.ConnectAsync(c, Clock, dropAcks, ct));
        return devices;
    }

    private static async Task DisposeAllAsync(List<SimulatedDevice> devices)
    {
        foreach (var device in devices) await device.DisposeAsync();
    }
}
