using System.Buffers;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portier.Core.Devices;

namespace Portier.Server.Tests.Devices;

/// <summary>A door controller in a test: a real MQTTnet client that records the commands it receives.</summary>
public sealed class TestDevice : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly Channel<CommandMessage> _commands = Channel.CreateUnbounded<CommandMessage>();
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestDevice(Guid id, IMqttClient client)
    {
        Id = id;
        Client = client;
    }

    public Guid Id { get; }
    public IMqttClient Client { get; }
    public int CommandsReceived { get; private set; }

    /// <param name="lastWill">Leaves <c>{"online":false}</c> on the status topic as the connection's Last Will, as docs/device-protocol.md advises.</param>
    public static MqttClientOptions Options(int port, Guid id, string? password, string? clientId = null, bool lastWill = false)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId ?? id.ToString())
            .WithCredentials(id.ToString(), password)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(Wait);
        if (lastWill)
            builder = builder.WithWillTopic(DeviceProtocol.Topic(id, DeviceTopic.Status))
                .WithWillPayload(DeviceProtocol.Serialize(new StatusMessage(Online: false)))
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        return builder.Build();
    }

    /// <summary>Connects and subscribes to the device's own command topic.</summary>
    public static async Task<TestDevice> ConnectAsync(int port, Guid id, string? password, bool subscribe = true, bool lastWill = false)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var device = new TestDevice(id, client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            device.CommandsReceived++;
            if (DeviceProtocol.TryDeserialize<CommandMessage>(e.ApplicationMessage.Payload.ToArray(), out var command, out _))
                device._commands.Writer.TryWrite(command);
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += _ =>
        {
            device._disconnected.TrySetResult();
            return Task.CompletedTask;
        };
        await client.ConnectAsync(Options(port, id, password, lastWill: lastWill), Token);
        if (subscribe)
        {
            var result = await client.SubscribeAsync(DeviceProtocol.Topic(id, DeviceTopic.Command), MqttQualityOfServiceLevel.AtLeastOnce, Token);
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.Single().ResultCode);
        }
        return device;
    }

    /// <summary>The broker's answer to a connection attempt with these credentials.</summary>
    public static async Task<MqttClientConnectResultCode> TryConnectAsync(int port, Guid id, string? password, string? clientId = null)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            return (await client.ConnectAsync(Options(port, id, password, clientId), Token)).ResultCode;
        }
        catch (MqttConnectingFailedException e)
        {
            return ResultCodeOf(e);
        }
    }

    /// <summary>MQTTnet 5 reports a refused connection as an exception whose message names the CONNACK reason.</summary>
    public static MqttClientConnectResultCode ResultCodeOf(MqttConnectingFailedException e) =>
        Enum.GetValues<MqttClientConnectResultCode>()
            .Where(code => code != MqttClientConnectResultCode.Success && e.Message.Contains(code.ToString(), StringComparison.Ordinal))
            .Select(code => (MqttClientConnectResultCode?)code).FirstOrDefault()
        ?? throw new InvalidOperationException($"No connect result in: {e.Message}", e);

    public Task<MqttClientPublishResult> PublishAsync(DeviceTopic topic, DeviceMessage message) =>
        PublishRawAsync(DeviceProtocol.Topic(Id, topic), DeviceProtocol.Serialize(message));

    public Task<MqttClientPublishResult> PublishRawAsync(string topic, byte[] payload) =>
        Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);

    /// <param name="sentAt">The controller's clock (default: the Unix epoch, a clock nobody set).</param>
    public Task<MqttClientPublishResult> HeartbeatAsync(string? firmware = null, DateTimeOffset? sentAt = null) =>
        PublishAsync(DeviceTopic.Heartbeat, new HeartbeatMessage(sentAt ?? DateTimeOffset.UnixEpoch, firmware));

    /// <summary>Drops the connection the way a power cut or a pulled cable does: no DISCONNECT packet, the socket just closes.</summary>
    public void DropConnection() => Client.Dispose();

    public Task<MqttClientPublishResult> AckAsync(Guid commandId, bool ok = true) =>
        PublishAsync(DeviceTopic.Ack, new AckMessage(commandId, DateTimeOffset.UnixEpoch, ok));

    public async Task<CommandMessage> NextCommandAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(Wait);
        return await _commands.Reader.ReadAsync(timeout.Token);
    }

    public bool HasPendingCommand => _commands.Reader.TryPeek(out _);

    /// <summary>The command waiting to be read, if any, without taking it (for a failure message).</summary>
    public CommandMessage? PendingCommand => _commands.Reader.TryPeek(out var command) ? command : null;

    public Task Disconnected => _disconnected.Task;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Client.IsConnected) await Client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            // The broker closed the connection between the check and the goodbye: it is gone either way.
        }
        Client.Dispose();
    }
}
