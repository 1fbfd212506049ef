using System.Buffers;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;
using Portier.Core.Bundles;
using Portier.Core.Devices;
using Portier.Server.Tests.Devices;

namespace Portier.Server.Tests.Bundles;

/// <summary>A protocol version 2 controller in a test: a real MQTT client that keeps the time and bundle messages it receives.</summary>
public sealed class OfflineController : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly Channel<TimeMessage> _times = Channel.CreateUnbounded<TimeMessage>();
    private readonly Channel<byte[]> _bundles = Channel.CreateUnbounded<byte[]>();
    private readonly IMqttClient _client;

    private OfflineController(Guid id, IMqttClient client)
    {
        Id = id;
        _client = client;
    }

    public Guid Id { get; }

    public static async Task<OfflineController> ConnectAsync(int port, Guid id, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var controller = new OfflineController(id, client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload.ToArray();
            if (e.ApplicationMessage.Topic == DeviceProtocol.Topic(id, DeviceTopic.Bundle)) controller._bundles.Writer.TryWrite(payload);
            else if (DeviceProtocol.TryDeserialize<TimeMessage>(payload, out var time, out _)) controller._times.Writer.TryWrite(time);
            return Task.CompletedTask;
        };
        await client.ConnectAsync(TestDevice.Options(port, id, password), Token);
        foreach (var topic in new[] { DeviceTopic.Time, DeviceTopic.Bundle })
        {
            var result = await client.SubscribeAsync(DeviceProtocol.Topic(id, topic), MqttQualityOfServiceLevel.AtLeastOnce, Token);
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.Single().ResultCode);
        }
        return controller;
    }

    public Task PublishAsync(DeviceTopic topic, DeviceMessage message) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(DeviceProtocol.Topic(Id, topic))
            .WithPayload(DeviceProtocol.Serialize(message)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);

    public Task HeartbeatAsync() => PublishAsync(DeviceTopic.Heartbeat, new HeartbeatMessage(DateTimeOffset.UnixEpoch));

    public Task SyncAsync(long? bundleVersion) => PublishAsync(DeviceTopic.Sync, new SyncMessage(bundleVersion, 1, DateTimeOffset.UnixEpoch));

    public Task AckAsync(long version, bool ok = true, string? error = null) => PublishAsync(DeviceTopic.BundleAck, new BundleAckMessage(version, ok, error));

    public async Task<TimeMessage> NextTimeAsync() => await ReadAsync(_times.Reader);

    public async Task<byte[]> NextBundleAsync() => await ReadAsync(_bundles.Reader);

    public bool HasPendingBundle => _bundles.Reader.TryPeek(out _);

    /// <summary>The next bundle, its signature checked with <paramref name="publicKey"/>.</summary>
    public async Task<BundleBody> NextVerifiedBundleAsync(byte[] publicKey)
    {
        var payload = await NextBundleAsync();
        Assert.True(BundleCodec.TryDecode(payload, publicKey, out var body, out var error), error);
        return body;
    }

    private static async Task<T> ReadAsync<T>(ChannelReader<T> reader)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(Wait);
        return await reader.ReadAsync(timeout.Token);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
        _client.Dispose();
    }
}
