using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Portier.Core.Devices;
using Portier.Core.Model;

namespace Portier.Simulator;

/// <summary>What each simulator command does; Program.cs only parses the command line.</summary>
public static class Commands
{
    private static readonly TimeProvider Clock = TimeProvider.System;
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(10);

    private sealed record PairReply(Guid DeviceId, string Username, string Password, BrokerReply Mqtt, KeysReply? Offline = null);

    /// <summary>Offline mode's keys (protocol v2), base64: the site's bundle signature key and credential hashing key.</summary>
    private sealed record KeysReply(Guid SiteId, string BundlePublicKey, string CredentialKey);

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
        if (reply.Offline is { } keys)
        {
            var files = ControllerFiles.For(file, reply.DeviceId);
            files.SaveKeys(new ControllerKeys(keys.BundlePublicKey, keys.CredentialKey, keys.SiteId));
            Console.WriteLine($"Offline mode: the site's keys saved to {files.Folder}");
        }
        return 0;
    }

    /// <summary>Keeps every device connected, sending heartbeats (unless silent) and printing commands until Ctrl+C.</summary>
    public static async Task<int> RunAsync(string file, TimeSpan heartbeat, bool silent, bool dropAcks, CancellationToken ct)
    {
        var devices = await ConnectAllAsync(file, dropAcks, ct, offlineMode: true);
        if (devices is null) return 1;
        foreach (var device in devices) device.CommandReceived += Print;
        // Offline mode: once the server has answered the sync, what the controller decided alone goes home.
        foreach (var device in devices.Where(d => d.Controller is not null)) _ = UploadWhenAnsweredAsync(device, ct);
        Console.WriteLine($"{devices.Count} device(s) connected{(silent ? ", silent" : "")}{(dropAcks ? ", dropping acks" : "")}. Ctrl+C stops.");
        Console.WriteLine("Type open, closed or exit (request-to-exit, then open) to report the first device's door.");
        _ = Task.Run(() => ReadDoorInputAsync(devices[0], ct), ct);
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

    /// <summary>Door sensor changes typed while running: the session stays the device's only connection.</summary>
    private static async Task ReadDoorInputAsync(SimulatedDevice device, CancellationToken ct)
    {
        while (await Console.In.ReadLineAsync(ct) is { } line)
        {
            var (position, requestToExit) = line.Trim().ToLowerInvariant() switch
            {
                "open" => (DoorPosition.Open, false),
                "closed" or "close" => (DoorPosition.Closed, false),
                "exit" => (DoorPosition.Open, true),
                _ => ((DoorPosition?)null, false),
            };
            if (position is null)
            {
                Console.Error.WriteLine("Type open, closed or exit.");
                continue;
            }
            await device.ReportDoorAsync(position.Value, requestToExit, ct);
            Console.WriteLine($"{Clock.GetLocalNow():HH:mm:ss} {device.Id}: door {position.Value.ToString().ToLowerInvariant()}{(requestToExit ? " (request to exit)" : "")}");
        }
    }

    /// <summary>
    /// Presents a card (or, with <paramref name="pin"/>, a PIN) at one device's reader <paramref name="readerId"/> and prints the answer.
    /// A controller in offline mode decides itself when the broker cannot be reached or the server does not
    /// answer within <paramref name="offlineAfter"/>; it then drops the server's late answer, if one comes.
    /// Connected, it first uploads what it decided alone before.
    /// </summary>
    public static async Task<int> ScanAsync(string file, Guid? deviceId, string card, string? pin, string readerId, bool dropAcks, TimeSpan offlineAfter, CancellationToken ct)
    {
        if (await FindAsync(file, deviceId, ct) is not { } credentials) return 1;
        var controller = ControllerFor(file, credentials.DeviceId);
        var (kind, value, label) = pin is null ? (CredentialKind.Card, card, $"card {card}") : (CredentialKind.Pin, pin, $"PIN {pin}");
        await using var device = controller is null
            ? await SimulatedDevice.ConnectAsync(credentials, Clock, dropAcks, ct)
            : await TryConnectAsync(credentials, controller, dropAcks, ct);
        if (device is null) return DecideOffline(controller!, kind, value, label, readerId);
        // A controller announces itself when it connects; without it a freshly paired one counts as offline.
        await device.HeartbeatAsync(ct);
        var answer = new TaskCompletionSource<CommandMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        Guid? scanId = null;
        device.CommandReceived += (_, command, _, _) =>
        {
            if (command.ScanId == scanId) answer.TrySetResult(command);
        };
        var started = Stopwatch.GetTimestamp();
        scanId = Guid.CreateVersion7();
        await device.PresentAsync(kind, value, scanId.Value, ct, readerId);
        try
        {
            var command = await answer.Task.WaitAsync(controller is null ? AnswerWait : offlineAfter, ct);
            Console.WriteLine($"{label} at {readerId}: {SimulatedDevice.Describe(command)} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
            if (controller is not null && controller.Buffered > 0 && device.TimeReceived.IsCompleted) await device.UploadEventsAsync(AnswerWait, ct);
            return 0;
        }
        catch (TimeoutException) when (controller is not null)
        {
            device.DecidedLocally(scanId.Value);
            return DecideOffline(controller, kind, value, label, readerId);
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"{label}: no answer within {AnswerWait.TotalSeconds:F0} s");
            return 2;
        }
    }

    private static int DecideOffline(OfflineController controller, CredentialKind kind, string value, string label, string readerId)
    {
        var answer = controller.Decide(kind, value, readerId);
        Console.WriteLine($"{label}: {answer.Describe()}");
        return 0;
    }

    /// <summary>
    /// Types <paramref name="count"/> wrong PINs at one device's keypad as fast as the broker takes them,
    /// as someone guessing would, then prints how the server answered them (by reason). With the
    /// default limits the first few are <c>invalid_credential</c>, the rest <c>too_many_attempts</c>, and the
    /// server raises an <c>invalid_credential_burst</c> alarm.
    /// </summary>
    public static async Task<int> GuessAsync(string file, Guid? deviceId, int count, int digits, CancellationToken ct)
    {
        if (await FindAsync(file, deviceId, ct) is not { } credentials) return 1;
        await using var device = await SimulatedDevice.ConnectAsync(credentials, Clock, dropAcks: false, ct);
        await device.HeartbeatAsync(ct);
        var answers = new ConcurrentDictionary<Guid, TaskCompletionSource<CommandMessage>>();
        device.CommandReceived += (_, command, _, _) =>
        {
            if (command.ScanId is { } id && answers.TryGetValue(id, out var answer)) answer.TrySetResult(command);
        };
        var scans = new List<Task<CommandMessage>>();
        for (var i = 0; i < count; i++)
        {
            var scanId = Guid.CreateVersion7();
            var answer = answers[scanId] = new TaskCompletionSource<CommandMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            scans.Add(answer.Task);
            // Random PINs of the given length: a guesser's PINs, almost never one that exists.
            var pin = Random.Shared.NextInt64((long)Math.Pow(10, digits)).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
            await device.PresentAsync(CredentialKind.Pin, pin, scanId, ct);
        }
        var answered = await Task.WhenAll(scans.Select(async scan =>
        {
            try
            {
                return await scan.WaitAsync(AnswerWait, ct);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }));
        foreach (var (reason, times) in answered.CountBy(c => c is null ? "no answer" : SimulatedDevice.Describe(c)).OrderByDescending(r => r.Value))
            Console.WriteLine($"{times,5} × {reason}");
        return answered.Any(a => a is null) ? 2 : 0;
    }

    /// <summary>
    /// Reports the door opening or closing at one device (a forced or held-open door raises an alarm
    /// on the server). It connects as the device, so it replaces a running session of that device.
    /// </summary>
    public static async Task<int> DoorAsync(string file, Guid? deviceId, DoorPosition position, bool requestToExit, CancellationToken ct)
    {
        if (await FindAsync(file, deviceId, ct) is not { } credentials) return 1;
        var controller = ControllerFor(file, credentials.DeviceId);
        await using var device = controller is null
            ? await SimulatedDevice.ConnectAsync(credentials, Clock, dropAcks: false, ct)
            : await TryConnectAsync(credentials, controller, dropAcks: false, ct);
        if (device is null)
        {
            // Out of reach: the controller keeps the change for the upload when it is back.
            var kept = controller!.RecordDoor(position, requestToExit);
            Console.WriteLine($"{credentials.DeviceId}: door {position.ToString().ToLowerInvariant()}{(requestToExit ? " (request to exit)" : "")} (offline, event {kept.Sequence} buffered)");
            return 0;
        }
        await device.ReportDoorAsync(position, requestToExit, ct);
        Console.WriteLine($"{device.Id}: door {position.ToString().ToLowerInvariant()}{(requestToExit ? " (request to exit)" : "")}");
        return 0;
    }

    /// <summary>Presses the controller's lockdown (or evacuation) button: the server starts the plans that name this controller.</summary>
    public static async Task<int> PressAsync(string file, Guid? deviceId, string input, CancellationToken ct)
    {
        if (await FindAsync(file, deviceId, ct) is not { } credentials) return 1;
        await using var device = await SimulatedDevice.ConnectAsync(credentials, Clock, dropAcks: false, ct);
        await device.PressInputAsync(input, ct);
        Console.WriteLine($"{device.Id}: {input} button pressed");
        return 0;
    }

    /// <summary>The device's offline mode, when pairing gave it the site's keys (protocol v2); null for a v1 controller.</summary>
    public static OfflineController? ControllerFor(string file, Guid deviceId)
    {
        var controller = new OfflineController(deviceId, ControllerFiles.For(file, deviceId), Clock);
        return controller.HasKeys ? controller : null;
    }

    /// <summary>Connects as the device; null when the broker cannot be reached (the controller is then on its own).</summary>
    private static async Task<SimulatedDevice?> TryConnectAsync(DeviceCredentials credentials, OfflineController? controller, bool dropAcks, CancellationToken ct)
    {
        try
        {
            return await SimulatedDevice.ConnectAsync(credentials, Clock, dropAcks, ct, controller);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{credentials.DeviceId}: broker {credentials.Host}:{credentials.Port} out of reach ({e.GetType().Name})");
            return null;
        }
    }

    /// <summary>
    /// Connects, syncs (the server answers with its time and, when this controller's is older, a bundle),
    /// and uploads the buffered events, waiting for each batch's acknowledgement.
    /// </summary>
    public static async Task<int> SyncAsync(string file, Guid? deviceId, CancellationToken ct)
    {
        if (await FindAsync(file, deviceId, ct) is not { } credentials) return 1;
        if (ControllerFor(file, credentials.DeviceId) is not { } controller)
        {
            Console.Error.WriteLine($"{credentials.DeviceId} has no site keys: pair it with a server that gives them (offline mode).");
            return 1;
        }
        await using var device = await TryConnectAsync(credentials, controller, dropAcks: false, ct);
        if (device is null) return 2;
        try
        {
            await device.TimeReceived.WaitAsync(AnswerWait, ct);
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"{device.Id}: the server did not answer sync within {AnswerWait.TotalSeconds:F0} s");
            return 2;
        }
        await SettleBundlesAsync(device, ct);
        var buffered = controller.Buffered;
        var uploaded = await device.UploadEventsAsync(AnswerWait, ct);
        Console.WriteLine($"{device.Id}: clock set by the server; bundle version {controller.BundleVersion?.ToString(CultureInfo.InvariantCulture) ?? "none"}; "
            + (uploaded ? $"{buffered} buffered event(s) uploaded" : $"upload not acknowledged, {controller.Buffered} event(s) still buffered"));
        return uploaded ? 0 : 2;
    }

    /// <summary>Gives the server a moment to send what the sync asked for: until no bundle has arrived for half a second.</summary>
    private static async Task SettleBundlesAsync(SimulatedDevice device, CancellationToken ct)
    {
        long seen;
        do
        {
            seen = device.BundlesReceived;
            await Task.Delay(TimeSpan.FromMilliseconds(500), Clock, ct);
        }
        while (device.BundlesReceived != seen);
    }

    /// <summary>The device named, or the first in the file; null (with a message) when there is none.</summary>
    private static async Task<DeviceCredentials?> FindAsync(string file, Guid? deviceId, CancellationToken ct)
    {
        var all = await DeviceFile.LoadAsync(file, ct);
        var credentials = deviceId is { } id ? all.FirstOrDefault(d => d.DeviceId == id) : all.FirstOrDefault();
        if (credentials is null) Console.Error.WriteLine($"No such device in {file}; pair one first.");
        return credentials;
    }

    /// <summary>N scans per second for the duration, spread over the devices and cards; prints scan-to-command latency.</summary>
    public static async Task<int> LoadAsync(string file, int rate, TimeSpan duration, TimeSpan warmup, IReadOnlyList<string> cards, bool dropAcks, CancellationToken ct)
    {
        var devices = await ConnectAllAsync(file, dropAcks, ct);
        if (devices is null) return 1;
        if (warmup > TimeSpan.Zero)
        {
            Console.WriteLine("warm-up, not measured:");
            await LoadRun.RunAsync(devices, cards, rate, warmup, AnswerWait, ct, label: "warmup");
            Console.WriteLine("measured run:");
        }
        var result = await LoadRun.RunAsync(devices, cards, rate, duration, AnswerWait, ct);
        await DisposeAllAsync(devices);
        return result;
    }

    private static void Print(SimulatedDevice device, CommandMessage command, bool inTime, long arrivedAt) =>
        Console.WriteLine($"{Clock.GetLocalNow():HH:mm:ss} {device.Id}: {SimulatedDevice.Describe(command)}{(inTime ? "" : " — past its deadline, dropped")}");

    private static async Task UploadWhenAnsweredAsync(SimulatedDevice device, CancellationToken ct)
    {
        try
        {
            await device.TimeReceived.WaitAsync(ct);
            var buffered = device.Controller!.Buffered;
            if (buffered == 0) return;
            var done = await device.UploadEventsAsync(AnswerWait, ct);
            Console.WriteLine($"{Clock.GetLocalNow():HH:mm:ss} {device.Id}: {(done ? $"{buffered} offline event(s) uploaded" : "upload not acknowledged; events stay buffered")}");
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<List<SimulatedDevice>?> ConnectAllAsync(string file, bool dropAcks, CancellationToken ct, bool offlineMode = false)
    {
        var credentials = await DeviceFile.LoadAsync(file, ct);
        if (credentials.Count == 0)
        {
            Console.Error.WriteLine($"No devices in {file}; pair one first.");
            return null;
        }
        var devices = new List<SimulatedDevice>();
        foreach (var c in credentials)
            devices.Add(await SimulatedDevice.ConnectAsync(c, Clock, dropAcks, ct, offlineMode ? ControllerFor(file, c.DeviceId) : null));
        return devices;
    }

    private static async Task DisposeAllAsync(List<SimulatedDevice> devices)
    {
        foreach (var device in devices) await device.DisposeAsync();
    }
}
