using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portier.Core.Bundles;
using Portier.Core.Devices;

namespace Portier.Benchmarks;

/// <summary>
/// How fast a revocation reaches every online controller: N controllers (one per door) paired with
/// the real server and connected to its embedded broker as protocol-2 controllers (each verifies,
/// applies and acknowledges its bundles), then cards revoked one after another through the API; for
/// each, the time from the API call to each controller's acknowledgement of the bundle that carries it.
/// </summary>
internal static class RevocationReachBenchmark
{
    public static async Task<int> RunAsync(int controllers, int revocations)
    {
        var port = BenchServer.FreePort();
        var (server, _, admin) = await BenchServer.StartAsync(new Dictionary<string, string?>
        {
            ["Mqtt:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Devices:PairingAttemptsPerMinute"] = "100000",
        });
        await using var _server = server;
        var (site, _) = await BenchServer.CreateSiteAndDoorAsync(admin);
        var person = await BenchServer.IdAsync(await admin.PostAsJsonAsync("/api/v1/people", new { siteId = site, name = "Bench member", personType = "Member", membershipStatus = "Current" }));
        var cards = new List<Guid>();
        for (var i = 0; i < revocations; i++)
            cards.Add(await BenchServer.IdAsync(await admin.PostAsJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = $"{0xB000 + i:X}" })));

        var setup = Stopwatch.StartNew();
        var clients = new List<BenchController>();
        for (var i = 0; i < controllers; i++)
        {
            var door = await BenchServer.IdAsync(await admin.PostAsJsonAsync("/api/v1/doors", new { siteId = site, name = $"Door {i}" }));
            var device = await BenchServer.IdAsync(await admin.PostAsJsonAsync("/api/v1/devices", new { doorId = door, name = $"Controller {i}" }));
            var code = JsonDocument.Parse(await (await admin.PostAsync($"/api/v1/devices/{device}/pairing-code", null)).Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();
            var pair = await admin.PostAsJsonAsync("/api/v1/devices/pair", new { pairingCode = code, deviceId = device, hardwareId = $"bench-{i}" });
            pair.EnsureSuccessStatusCode();
            var reply = JsonDocument.Parse(await pair.Content.ReadAsStringAsync()).RootElement;
            clients.Add(await BenchController.ConnectAsync(site, device, reply, port));
        }
        await Until(() => clients.All(c => c.Version > 0), TimeSpan.FromMinutes(5), "every controller holds a bundle");
        Console.WriteLine($"setup: {controllers} controllers paired, connected and holding a bundle in {setup.Elapsed.TotalSeconds:F1} s");

        var reach = new List<double>();
        foreach (var card in cards)
        {
            var before = clients.Select(c => c.Version).ToArray();
            foreach (var client in clients) client.ReachedAt = 0;
            var start = Stopwatch.GetTimestamp();
            (await admin.PostAsync($"/api/v1/credentials/{card}/revoke", null)).EnsureSuccessStatusCode();
            await Until(() => clients.All(c => c.ReachedAt != 0), TimeSpan.FromSeconds(60), "every controller acknowledged the revocation");
            reach.AddRange(clients.Select(c => Stopwatch.GetElapsedTime(start, c.ReachedAt).TotalMilliseconds));
            if (clients.Where((c, i) => c.Version <= before[i]).Any()) throw new InvalidOperationException("a controller acknowledged no newer version");
        }
        reach.Sort();
        double P(double p) => reach[Math.Min(reach.Count - 1, (int)(p * reach.Count))];
        Console.WriteLine($"revocation reach: {revocations} revocations × {controllers} controllers: p50 {P(0.50):F0} ms, p90 {P(0.90):F0} ms, p99 {P(0.99):F0} ms, max {reach[^1]:F0} ms " +
            "(API call → the controller verified, applied and acknowledged the new version)");
        Console.WriteLine($"refused bundles: {clients.Sum(c => c.Refused)} (a full bundle sent again at connect, of the version a controller already holds, is not counted)");
        foreach (var client in clients) await client.DisposeAsync();
        return P(0.99) < 1000 && clients.Sum(c => c.Refused) == 0 ? 0 : 1;
    }

    private static async Task Until(Func<bool> condition, TimeSpan limit, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > limit) throw new TimeoutException($"not within {limit}: {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>A protocol-2 controller reduced to its bundle handling: verify, apply, acknowledge.</summary>
    private sealed class BenchController : IAsyncDisposable
    {
        private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
        private readonly Guid _site;
        private readonly Guid _device;
        private readonly byte[] _publicKey;
        private ControllerPolicy? _policy;

        private BenchController(Guid site, Guid device, byte[] publicKey)
        {
            _site = site;
            _device = device;
            _publicKey = publicKey;
        }

        public long Version => Volatile.Read(ref _policy)?.Version ?? 0;
        public long ReachedAt;
        public int Refused;

        public static async Task<BenchController> ConnectAsync(Guid site, Guid device, JsonElement pairing, int port)
        {
            var keys = pairing.GetProperty("offline");
            var controller = new BenchController(site, device, Convert.FromBase64String(keys.GetProperty("bundlePublicKey").GetString()!));
            controller._client.ApplicationMessageReceivedAsync += controller.OnMessageAsync;
            await controller._client.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port)
                .WithClientId(device.ToString())
                .WithCredentials(device.ToString(), pairing.GetProperty("password").GetString())
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .Build());
            await controller._client.SubscribeAsync(DeviceProtocol.Topic(device, DeviceTopic.Bundle), MqttQualityOfServiceLevel.AtLeastOnce);
            await controller.PublishAsync(DeviceTopic.Heartbeat, new HeartbeatMessage(TimeProvider.System.GetUtcNow()));
            await controller.PublishAsync(DeviceTopic.Sync, new SyncMessage(null, 1, TimeProvider.System.GetUtcNow()));
            return controller;
        }

        private Task<MqttClientPublishResult> PublishAsync(DeviceTopic topic, DeviceMessage message) =>
            _client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(DeviceProtocol.Topic(_device, topic))
                .WithPayload(DeviceProtocol.Serialize(message))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());

        private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
        {
            var payload = System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload);
            // The version it already holds, sent again (a rebuild found it online just before its sync answer): nothing to apply.
            if (BundleCodec.TryDecode(payload, _publicKey, out var repeat, out _) && repeat.Version == Version) return;
            if (!BundleCodec.TryDecode(payload, _publicKey, out var body, out var error)
                || !ControllerPolicy.TryApply(_policy, body, _site, _device, out var applied, out error))
            {
                Interlocked.Increment(ref Refused);
                Console.Error.WriteLine($"{_device}: bundle refused: {error}");
                await PublishAsync(DeviceTopic.BundleAck, new BundleAckMessage(Version, false, error));
                return;
            }
            Volatile.Write(ref _policy, applied);
            await PublishAsync(DeviceTopic.BundleAck, new BundleAckMessage(applied.Version, true));
            Interlocked.CompareExchange(ref ReachedAt, Stopwatch.GetTimestamp(), 0);
        }

        public async ValueTask DisposeAsync()
        {
            if (_client.IsConnected) await _client.DisconnectAsync();
            _client.Dispose();
        }
    }
}
