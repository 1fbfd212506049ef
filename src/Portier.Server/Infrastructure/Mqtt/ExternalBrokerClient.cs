using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portier.Core.Devices;
using Portier.Server.Infrastructure.Logging;

namespace Portier.Server.Infrastructure.Mqtt;

/// <summary>
/// The server as a client of an external broker (e.g. Mosquitto). Several nodes of one installation
/// share the device messages through MQTT 5 shared subscriptions
/// (<c>$share/{group}/portier/devices/+/{topic}</c>, one per device-to-server topic): the broker hands
/// each message to exactly one node, so each scan is decided once and each ack handled once. Every node
/// also sees every heartbeat and connection status on plain subscriptions, only to know which
/// controllers are reachable. Device authentication and topic isolation are the broker's job (its
/// password file and ACL, see docs/device-protocol.md); the server still ignores messages from
/// unknown or unpaired devices and acks for other devices' commands.
/// </summary>
public sealed partial class ExternalBrokerClient(
    IOptions<MqttOptions> options,
    IServiceProvider services,
    ILogger<ExternalBrokerClient> logger) : IDeviceLink, IDisposable
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);

    /// <summary>Subscription identifiers: which of the node's subscriptions brought a message.</summary>
    private const uint Handled = 1, Observed = 2;

    /// <summary>What devices publish: each message handled by one node of the group.</summary>
    public static readonly IReadOnlyList<DeviceTopic> SharedTopics = [.. Enum.GetValues<DeviceTopic>().Where(t => !DeviceProtocol.IsServerToDevice(t))];

    /// <summary>What every node also sees, to keep its own view of which controllers are reachable.</summary>
    public static readonly IReadOnlyList<DeviceTopic> ObservedTopics = [DeviceTopic.Heartbeat, DeviceTopic.Status];

    public static string SharedFilter(string group, DeviceTopic topic) => $"$share/{group}/{DeviceProtocol.TopicRoot}/+/{DeviceProtocol.Name(topic)}";

    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    // Never disposed: it has no timer, and the host may dispose this link while StopAsync still uses it.
    private readonly CancellationTokenSource _stopping = new();
    private int _stopped;
    private IDeviceInbox? _inbox;
    private Task? _supervisor;

    public bool IsReady => _client.IsConnected;

    public bool SharedAcrossNodes => true;

    public async Task StartAsync(CancellationToken ct)
    {
        _inbox = services.GetRequiredService<IDeviceInbox>();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        await TryConnectAsync(ct);
        _supervisor = SuperviseAsync(_stopping.Token);
    }

    /// <summary>Safe to call more than once and alongside <see cref="Dispose"/>: the host may dispose while stopping.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _stopping.CancelAsync();
        if (_supervisor is not null) await _supervisor;
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync(new MqttClientDisconnectOptions(), ct);
        }
        catch (Exception e) when (e is ObjectDisposedException or MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            // The broker or the network closed the connection between the check and the goodbye, or the host
            // stopped waiting for it: the broker ends the session when the connection closes.
        }
    }

    public async Task<bool> PublishAsync(Guid deviceId, DeviceTopic topic, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (!_client.IsConnected) return false;
        var message = MqttGateway.ToDevice(deviceId, topic, payload);
        var result = await _client.PublishAsync(message, ct);
        return result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers;
    }

    public Task DisconnectAsync(Guid deviceId)
    {
        LogCannotDisconnect(logger, deviceId);
        return Task.CompletedTask;
    }

    /// <summary>Reconnects after a broker restart or network loss; connection retries run on wall-clock time.</summary>
    private async Task SuperviseAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ReconnectDelay, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (!_client.IsConnected) await TryConnectAsync(ct);
        }
    }

    private async Task TryConnectAsync(CancellationToken ct)
    {
        var o = options.Value;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(o.Host, o.Port)
            .WithClientId(o.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true);
        if (!string.IsNullOrEmpty(o.Username)) builder = builder.WithCredentials(o.Username, o.Password);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var connected = await _client.ConnectAsync(builder.Build(), timeout.Token);
            if (!connected.SharedSubscriptionAvailable) LogNoSharedSubscriptions(logger, o.Host, o.Port);
            await SubscribeAsync(o.SharedGroup, observe: connected.SubscriptionIdentifiersAvailable, timeout.Token);
            LogConnected(logger, o.Host, o.Port);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogConnectFailed(logger, o.Host, o.Port, LogSafe.Escape(e.Message));
        }
    }

    /// <summary>
    /// The shared subscriptions (no-local is a protocol error on them; the server's own commands are on
    /// topics it does not subscribe to), then the observed ones. A refused subscription ends the
    /// connection, so the node reports not ready and tries again rather than missing messages. Without
    /// subscription identifiers an observed copy could not be told from a handled one: nothing is observed then.
    /// </summary>
    private async Task SubscribeAsync(string group, bool observe, CancellationToken ct)
    {
        var shared = new MqttClientSubscribeOptionsBuilder().WithSubscriptionIdentifier(Handled);
        foreach (var topic in SharedTopics)
            shared = shared.WithTopicFilter(SharedFilter(group, topic), MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false,
                retainAsPublished: false, retainHandling: MqttRetainHandling.DoNotSendOnSubscribe);
        var observed = new MqttClientSubscribeOptionsBuilder().WithSubscriptionIdentifier(Observed);
        foreach (var topic in ObservedTopics)
            observed = observed.WithTopicFilter($"{DeviceProtocol.TopicRoot}/+/{DeviceProtocol.Name(topic)}", MqttQualityOfServiceLevel.AtLeastOnce,
                noLocal: true, retainAsPublished: false, retainHandling: MqttRetainHandling.DoNotSendOnSubscribe);
        foreach (var options in observe ? [shared.Build(), observed.Build()] : new[] { shared.Build() })
        {
            var result = await _client.SubscribeAsync(options, ct);
            if (result.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2) is { } refused)
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), ct);
                throw new InvalidOperationException($"The broker refused the subscription {refused.TopicFilter.Topic}: {refused.ResultCode}.");
            }
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (!DeviceProtocol.TryParseTopic(topic, out var deviceId, out var kind))
        {
            LogIgnored(logger, LogSafe.Escape(topic));
            return;
        }
        if (DeviceProtocol.IsServerToDevice(kind)) return;
        // A broker without subscription identifiers names none: every message is then this node's to handle.
        var through = e.ApplicationMessage.SubscriptionIdentifiers;
        if (through is { Count: > 0 } && !through.Contains(Handled))
            await _inbox!.ObserveAsync(deviceId, kind, e.ApplicationMessage.Payload, _stopping.Token);
        else
            await _inbox!.HandleAsync(deviceId, kind, e.ApplicationMessage.Payload, _stopping.Token);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0) _stopping.Cancel();
        _client.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the MQTT broker at {Host}:{Port}")]
    private static partial void LogConnected(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot connect to the MQTT broker at {Host}:{Port}: {Error}; retrying")]
    private static partial void LogConnectFailed(ILogger logger, string host, int port, string error);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The MQTT broker at {Host}:{Port} does not offer shared subscriptions: with several server nodes every node would handle every device message")]
    private static partial void LogNoSharedSubscriptions(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a message on {Topic}: not a device topic")]
    private static partial void LogIgnored(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Cannot end device {DeviceId}'s session on an external broker: change its credentials at the broker. The server ignores its messages unless it is paired")]
    private static partial void LogCannotDisconnect(ILogger logger, Guid deviceId);
}
