using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
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
    private readonly ConcurrentDictionary<Task, byte> _acks = new();

    private SimulatedDevice(DeviceCredentials credentials, TimeProvider clock, bool dropAcks)
    {
        Credentials = credentials;
        _clock = clock;
        _dropAcks = dropAcks;
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    public DeviceCredentials Credentials { get; }
    public Guid Id => Credentials.DeviceId;

    /// <summary>
    /// Raised for every command as it arrives (its acknowledgement, when due, is already on its way);
    /// the flag says whether it arrived in time, the timestamp (<see cref="Stopwatch"/>) when.
    /// </summary>
    public event Action<SimulatedDevice, CommandMessage, bool, long>? CommandReceived;

    public static async Task<SimulatedDevice> ConnectAsync(DeviceCredentials credentials, TimeProvider clock, bool dropAcks, CancellationToken ct)
    {
        var device = new SimulatedDevice(credentials, clock, dropAcks);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(credentials.Host, credentials.Port)
            .WithClientId(credentials.DeviceId.ToString())
            .WithCredentials(credentials.DeviceId.ToString(), credentials.Password)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            // The broker publishes this if the connection drops, so the server marks the controller offline at once.
            .WithWillTopic(DeviceProtocol.Topic(credentials.DeviceId, DeviceTopic.Status))
            .WithWillPayload(DeviceProtocol.Serialize(new StatusMessage(Online: false)))
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await device._client.ConnectAsync(options, ct);
        await device._client.SubscribeAsync(DeviceProtocol.Topic(device.Id, DeviceTopic.Command), MqttQualityOfServiceLevel.AtLeastOnce, ct);
        // As the protocol asks: a controller is online from its first heartbeat, and a new connection follows a lost one.
        await device.HeartbeatAsync(ct);
        return device;
    }

    public Task HeartbeatAsync(CancellationToken ct) =>
        PublishAsync(DeviceTopic.Heartbeat, new HeartbeatMessage(_clock.GetUtcNow(), "simulator-1.0", "Portier Simulator"), ct);

    /// <summary>Reports the door sensor, and whether the request-to-exit button was pressed.</summary>
    public Task ReportDoorAsync(DoorPosition door, bool requestToExit, CancellationToken ct) =>
        PublishAsync(DeviceTopic.State, new StateMessage(door, _clock.GetUtcNow(), requestToExit ? true : null), ct);

    /// <summary>Presents a card at the reader; returns the scan id the answer will carry.</summary>
    public async Task<Guid> ScanAsync(string card, CancellationToken ct) => await ScanAsync(card, Guid.CreateVersion7(), ct);

    public Task<Guid> ScanAsync(string card, Guid scanId, CancellationToken ct) => PresentAsync(CredentialKind.Card, card, scanId, ct);

    /// <summary>The reader a scan comes from unless told otherwise.</summary>
    public const string DefaultReader = "reader-1";

    /// <summary>Presents a credential of any kind (a PIN typed at the keypad, a card, …) at <paramref name="readerId"/> with the given scan id.</summary>
    public async Task<Guid> PresentAsync(CredentialKind kind, string value, Guid scanId, CancellationToken ct, string readerId = DefaultReader)
    {
        await PublishAsync(DeviceTopic.Scan, new ScanMessage(scanId, new PresentedCredential(kind, value), _clock.GetUtcNow(), readerId), ct);
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

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var arrived = Stopwatch.GetTimestamp();
        if (!DeviceProtocol.TryDeserialize<CommandMessage>(e.ApplicationMessage.Payload.ToArray(), out var command, out var error))
        {
            Console.Error.WriteLine($"{Id}: unreadable command: {error}");
            return Task.CompletedTask;
        }
        // A command past its deadline is dropped, never acted on: the server has already given up on it.
        var inTime = _clock.GetUtcNow() <= command.Deadline;
        // The ack is not awaited here: the client hands over messages one at a time, so waiting for
        // the broker's receipt would hold up the next command behind this one's round trip.
        if (inTime && !_dropAcks) Track(AckAsync(command.CommandId));
        CommandReceived?.Invoke(this, command, inTime, arrived);
        return Task.CompletedTask;
    }

    private async Task AckAsync(Guid commandId)
    {
        try
        {
            await PublishAsync(DeviceTopic.Ack, new AckMessage(commandId, _clock.GetUtcNow(), Ok: true), CancellationToken.None);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{Id}: ack of {commandId} failed: {e.Message}");
        }
    }

    /// <summary>Keeps the ack until it is sent, so closing the connection does not cut it off.</summary>
    private void Track(Task ack)
    {
        _acks[ack] = 0;
        _ = ack.ContinueWith(t => _acks.TryRemove(t, out _), TaskScheduler.Default);
    }

    public static string Describe(CommandMessage command) => command.Type switch
    {
        CommandType.Unlock => $"unlock for {command.HoldSeconds}s{AtDoor(command)}",
        CommandType.Deny => $"deny ({command.Reason}){AtDoor(command)}",
        _ => $"{command.Type.ToString().ToLowerInvariant()}{(command.Reason is null ? "" : $" ({command.Reason})")}{AtDoor(command)}",
    };

    /// <summary>A controller serving several doors is told which one a command is for.</summary>
    private static string AtDoor(CommandMessage command) => command.DoorId is { } door ? $" at door {door}" : "";

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_acks.Keys);
        if (_client.IsConnected) await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
        _client.Dispose();
    }
}
