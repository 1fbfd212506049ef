using System.Buffers;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portier.Core.Devices;
using Portier.Core.Model;

namespace Portier.Simulator;

/// <summary>
/// One door controller: a real MQTT client logged in with its pairing credentials. It acts on
/// commands before their deadline and acknowledges them (unless told to drop acks).
/// </summary>
public sealed class SimulatedDevice : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly TimeProvider _clock;
    private readonly bool _dropAcks;

    private SimulatedDevice(DeviceCredentials credentials, TimeProvider clock, bool dropAcks)
    {
        Credentials = credentials;
        _clock = clock;
        _dropAcks = dropAcks;
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    public DeviceCredentials Credentials { get; }
    public Guid Id => Credentials.DeviceId;

    /// <summary>Raised for every command, after it was acknowledged (or not); the flag says whether it arrived in time.</summary>
    public event Action<SimulatedDevice, CommandMessage, bool>? CommandReceived;

    public static async Task<SimulatedDevice> ConnectAsync(DeviceCredentials credentials, TimeProvider clock, bool dropAcks, CancellationToken ct)
    {
        var device = new SimulatedDevice(credentials, clock, dropAcks);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(credentials.Host, credentials.Port)
            .WithClientId(credentials.DeviceId.ToString())
            .WithCredentials(credentials.DeviceId.ToString(), credentials.Password)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .Build();
        await device._client.ConnectAsync(options, ct);
        await device._client.SubscribeAsync(DeviceProtocol.Topic(device.Id, DeviceTopic.Command), MqttQualityOfServiceLevel.AtLeastOnce, ct);
        return device;
    }

    public Task HeartbeatAsync(CancellationToken ct) =>
        PublishAsync(DeviceTopic.Heartbeat, new HeartbeatMessage(_clock.GetUtcNow(), "simulator-1.0", "Portier Simulator"), ct);

    /// <summary>Presents a card at the reader; returns the scan id the answer will carry.</summary>
    public async Task<Guid> ScanAsync(string card, CancellationToken ct) => await ScanAsync(card, Guid.CreateVersion7(), ct);

    public async Task<Guid> ScanAsync(string card, Guid scanId, CancellationToken ct)
    {
        await PublishAsync(DeviceTopic.Scan, new ScanMessage(scanId, new PresentedCredential(CredentialKind.Card, card), _clock.GetUtcNow(), "reader-1"), ct);
        return scanId;
    }

    private async Task PublishAsync(DeviceTopic topic, DeviceMessage message, CancellationToken ct)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(DeviceProtocol.Topic(Id, topic))
            .WithPayload(DeviceProtocol.Serialize(message))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), ct);
        if (!result.IsSuccess) Console.Error.WriteLine($"{Id}: {topic} refused by the broker: {result.ReasonCode}");
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        if (!DeviceProtocol.TryDeserialize<CommandMessage>(e.ApplicationMessage.Payload.ToArray(), out var command, out var error))
        {
            Console.Error.WriteLine($"{Id}: unreadable command: {error}");
            return;
        }
        // A command past its deadline is dropped, never acted on: the server has already given up on it.
        var inTime = _clock.GetUtcNow() <= command.Deadline;
        if (inTime && !_dropAcks)
            await PublishAsync(DeviceTopic.Ack, new AckMessage(command.CommandId, _clock.GetUtcNow(), Ok: true), CancellationToken.None);
        CommandReceived?.Invoke(this, command, inTime);
    }

    public static string Describe(CommandMessage command) => command.Type switch
    {
        CommandType.Unlock => $"unlock for {command.HoldSeconds}s",
        CommandType.Deny => $"deny ({command.Reason})",
        _ => $"{command.Type.ToString().ToLowerInvariant()}{(command.Reason is null ? "" : $" ({command.Reason})")}",
    };

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
        _client.Dispose();
    }
}
