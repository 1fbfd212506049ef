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
    private readonly ConcurrentDictionary<Guid, byte> _decidedLocally = new();
    private readonly TaskCompletionSource _timeReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<long> _eventsAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bundlesReceived;

    private SimulatedDevice(DeviceCredentials credentials, TimeProvider clock, bool dropAcks, OfflineController? controller)
    {
        Credentials = credentials;
        _clock = clock;
        _dropAcks = dropAcks;
        Controller = controller;
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    public DeviceCredentials Credentials { get; }
    public Guid Id => Credentials.DeviceId;
    /// <summary>Offline mode (protocol v2): present when the controller has a folder of its own with the site's keys.</summary>
    public OfflineController? Controller { get; }
    /// <summary>Completes when the server answered <c>sync</c> with its <c>time</c>: the server is there.</summary>
    public Task TimeReceived => _timeReceived.Task;
    public long BundlesReceived => Interlocked.Read(ref _bundlesReceived);

    /// <summary>
    /// Raised for every command as it arrives (its acknowledgement, when due, is already on its way);
    /// the flag says whether it arrived in time, the timestamp (<see cref="Stopwatch"/>) when.
    /// </summary>
    public event Action<SimulatedDevice, CommandMessage, bool, long>? CommandReceived;

    public static async Task<SimulatedDevice> ConnectAsync(DeviceCredentials credentials, TimeProvider clock, bool dropAcks, CancellationToken ct,
        OfflineController? controller = null)
    {
        var device = new SimulatedDevice(credentials, clock, dropAcks, controller);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(credentials.Host, credentials.Port)
            // A controller in offline mode cannot wait long for a broker that is gone; the load driver keeps the client's default.
            .WithTimeout(controller is null ? DefaultTimeout : ConnectTimeout)
            .WithClientId(credentials.DeviceId.ToString())
            .WithCredentials(credentials.DeviceId.ToString(), credentials.Password)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            // The broker publishes this if the connection drops, so the server marks the controller offline at once.
            .WithWillTopic(DeviceProtocol.Topic(credentials.DeviceId, DeviceTopic.Status))
            .WithWillPayload(DeviceProtocol.Serialize(new StatusMessage(Online: false)))
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await device._client.ConnectAsync(options, ct);
        try
        {
            await device._client.SubscribeAsync(DeviceProtocol.Topic(device.Id, DeviceTopic.Command), MqttQualityOfServiceLevel.AtLeastOnce, ct);
            if (controller is not null)
                foreach (var topic in (DeviceTopic[])[DeviceTopic.Time, DeviceTopic.Bundle, DeviceTopic.EventsAck])
                    await device._client.SubscribeAsync(DeviceProtocol.Topic(device.Id, topic), MqttQualityOfServiceLevel.AtLeastOnce, ct);
            // As the protocol asks: a controller is online from its first heartbeat, and a new connection follows a lost one.
            await device.HeartbeatAsync(ct);
            // Offline mode: tell the server what this controller holds; it answers with its time and, if needed, a bundle.
            if (controller is not null)
                await device.PublishAsync(DeviceTopic.Sync, new SyncMessage(controller.BundleVersion, controller.Memory.NextSequence, controller.Now.ToDateTimeOffset()), ct);
        }
        catch
        {
            await device.DisposeAsync();
            throw;
        }
        return device;
    }

    /// <summary>How long a connection attempt may take before the broker counts as out of reach.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan DefaultTimeout = new MqttClientOptions().Timeout;

    /// <summary>
    /// The scan was decided by the controller itself (the server did not answer in time): a late answer
    /// to it is neither acted on nor acknowledged, so the door does what the controller decided, once.
    /// </summary>
    public void DecidedLocally(Guid scanId) => _decidedLocally[scanId] = 0;

    /// <summary>
    /// Uploads the buffered events in batches, in sequence order, each after the last is acknowledged;
    /// false when the server did not acknowledge one within <paramref name="wait"/> (they stay buffered).
    /// </summary>
    public async Task<bool> UploadEventsAsync(TimeSpan wait, CancellationToken ct)
    {
        if (Controller is null) return true;
        while (Controller.NextBatch() is { } batch)
        {
            var last = batch.Events[^1].Sequence;
            var acked = _eventsAck = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            await PublishAsync(DeviceTopic.Events, batch, ct);
            try
            {
                while (await acked.Task.WaitAsync(wait, ct) < last)
                    acked = _eventsAck = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
        return true;
    }

    public Task HeartbeatAsync(CancellationToken ct) =>
        PublishAsync(DeviceTopic.Heartbeat, new HeartbeatMessage(_clock.GetUtcNow(), "simulator-1.0", "Portier Simulator"), ct);

    /// <summary>Reports the door sensor, and whether the request-to-exit button was pressed.</summary>
    public Task ReportDoorAsync(DoorPosition door, bool requestToExit, CancellationToken ct) =>
        PublishAsync(DeviceTopic.State, new StateMessage(door, _clock.GetUtcNow(), requestToExit ? true : null), ct);

    /// <summary>Presses one of the controller's inputs (protocol v2): <c>lockdown</c> or <c>evacuation</c>.</summary>
    public Task PressInputAsync(string input, CancellationToken ct) =>
        PublishAsync(DeviceTopic.Input, new InputMessage(input, _clock.GetUtcNow()), ct);

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

    public bool IsConnected => _client.IsConnected;

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
        var topic = DeviceProtocol.TryParseTopic(e.ApplicationMessage.Topic, out _, out var named) ? named : DeviceTopic.Command;
        // Whatever the server sends proves it is there: the revocation horizon starts again.
        Controller?.HeardFromServer();
        switch (topic)
        {
            case DeviceTopic.Time:
                if (DeviceProtocol.TryDeserialize<TimeMessage>(e.ApplicationMessage.Payload.ToArray(), out var time, out var timeError))
                {
                    Controller?.SetClock(time.Now);
                    _timeReceived.TrySetResult();
                }
                else Console.Error.WriteLine($"{Id}: unreadable time: {timeError}");
                return Task.CompletedTask;
            case DeviceTopic.Bundle:
                return ApplyBundleAsync(e.ApplicationMessage.Payload.ToArray());
            case DeviceTopic.EventsAck:
                if (DeviceProtocol.TryDeserialize<EventsAckMessage>(e.ApplicationMessage.Payload.ToArray(), out var ack, out var ackError))
                {
                    Controller?.Acknowledge(ack.UpTo);
                    _eventsAck.TrySetResult(ack.UpTo);
                }
                else Console.Error.WriteLine($"{Id}: unreadable events-ack: {ackError}");
                return Task.CompletedTask;
            default:
                return CommandAsync(e, arrived);
        }
    }

    /// <summary>Applies the bundle (or keeps the last good one) and says which with <c>bundle-ack</c>.</summary>
    private async Task ApplyBundleAsync(byte[] payload)
    {
        if (Controller is null) return;
        var (version, error) = Controller.ApplyBundle(payload);
        Interlocked.Increment(ref _bundlesReceived);
        try
        {
            await PublishAsync(DeviceTopic.BundleAck, new BundleAckMessage(version ?? 0, error is null, error), CancellationToken.None);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{Id}: bundle-ack failed: {e.Message}");
        }
    }

    private Task CommandAsync(MqttApplicationMessageReceivedEventArgs e, long arrived)
    {
        if (!DeviceProtocol.TryDeserialize<CommandMessage>(e.ApplicationMessage.Payload.ToArray(), out var command, out var error))
        {
            Console.Error.WriteLine($"{Id}: unreadable command: {error}");
            return Task.CompletedTask;
        }
        if (command.ScanId is { } scanId && _decidedLocally.ContainsKey(scanId))
        {
            Console.Error.WriteLine($"{Id}: the server's answer to scan {scanId} came after the controller decided it; ignored");
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
