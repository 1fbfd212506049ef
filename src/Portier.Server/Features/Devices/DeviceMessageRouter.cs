using Portier.Core.Decisions;
using System.Buffers;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Devices;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Bundles;
using Portier.Server.Features.Doors;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Telemetry;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Logging;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// Handles the messages devices publish, whichever broker carried them. The topic has already
/// named the device (and, with the embedded broker, proved it is the sender). Every refusal is
/// logged and affects only that message.
/// </summary>
public sealed partial class DeviceMessageRouter(
    IServiceScopeFactory scopes,
    DeviceCommands commands,
    ScanWorkers scans,
    DoorSupervision supervision,
    DoorLatchScheduler latches,
    DoorDirectory doors,
    DeviceClock deviceClock,
    ControllerBundles bundles,
    WebhookOutbox outbox,
    ILiveEventPublisher live,
    TimeProvider clock,
    OfflineEventIntake intake,
    IEnumerable<IControllerInputHandler> inputs,
    ILogger<DeviceMessageRouter> logger) : IDeviceInbox
{
    public Task<InboundOutcome> HandleAsync(Guid deviceId, DeviceTopic topic, ReadOnlySequence<byte> payload, CancellationToken ct) =>
        topic switch
        {
            DeviceTopic.Heartbeat => Parse<HeartbeatMessage>(deviceId, topic, payload) is { } heartbeat
                ? HeartbeatAsync(deviceId, heartbeat, ct) : Malformed,
            DeviceTopic.State => Parse<StateMessage>(deviceId, topic, payload) is { } state
                ? StateAsync(deviceId, state, ct) : Malformed,
            DeviceTopic.Ack => Parse<AckMessage>(deviceId, topic, payload) is { } ack
                ? AckAsync(deviceId, ack, ct) : Malformed,
            DeviceTopic.Scan => Parse<ScanMessage>(deviceId, topic, payload) is { } scan
                ? ScanAsync(deviceId, scan, ct) : Malformed,
            DeviceTopic.Status => Parse<StatusMessage>(deviceId, topic, payload) is { } status
                ? StatusAsync(deviceId, status, ct) : Malformed,
            DeviceTopic.Events => Parse<EventsMessage>(deviceId, topic, payload) is { } events
                ? intake.HandleAsync(deviceId, events, ct) : Malformed,
            DeviceTopic.Sync => Parse<SyncMessage>(deviceId, topic, payload) is { } sync
                ? SyncAsync(deviceId, sync, ct) : Malformed,
            DeviceTopic.BundleAck => Parse<BundleAckMessage>(deviceId, topic, payload) is { } bundleAck
                ? BundleAckAsync(deviceId, bundleAck, ct) : Malformed,
            DeviceTopic.Input => Parse<InputMessage>(deviceId, topic, payload) is { } input
                ? InputAsync(deviceId, input, ct) : Malformed,
            _ => Task.FromResult(InboundOutcome.Refused),
        };

    /// <summary>
    /// Another node records this heartbeat or connection status; this node only notes it, so its own
    /// decisions (an app unlock, an administrator's open) see the controller as reachable or not.
    /// Malformed messages are the handling node's to log.
    /// </summary>
    public async Task ObserveAsync(Guid deviceId, DeviceTopic topic, ReadOnlySequence<byte> payload, CancellationToken ct)
    {
        if ((await doors.GetAsync(ct)).Controller(deviceId) is null) return;
        ReadOnlySpan<byte> bytes = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        var max = DeviceProtocol.MaxPayloadBytesFor(topic);
        if (topic == DeviceTopic.Heartbeat && DeviceProtocol.TryDeserialize<HeartbeatMessage>(bytes, out _, out _, max))
            doors.Heard(deviceId, clock.GetCurrentInstant());
        else if (topic == DeviceTopic.Status && DeviceProtocol.TryDeserialize<StatusMessage>(bytes, out var status, out _, max) && !status.Online)
            doors.Lost(deviceId);
    }

    public async Task<bool> AcceptsLoginAsync(Guid deviceId, string? secret, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var device = await scope.ServiceProvider.GetRequiredService<PortierDbContext>()
            .Set<Device>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == deviceId, ct);
        return device is not null && device.AcceptsSecret(secret);
    }

    private static readonly Task<InboundOutcome> Malformed = Task.FromResult(InboundOutcome.Malformed);

    private T? Parse<T>(Guid deviceId, DeviceTopic topic, ReadOnlySequence<byte> payload) where T : DeviceMessage
    {
        ReadOnlySpan<byte> bytes = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        if (DeviceProtocol.TryDeserialize<T>(bytes, out var message, out var error, DeviceProtocol.MaxPayloadBytesFor(topic))) return message;
        LogMalformed(logger, deviceId, topic, LogSafe.Escape(error));
        return null;
    }

    private async Task<InboundOutcome> HeartbeatAsync(Guid deviceId, HeartbeatMessage heartbeat, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var offset = DeviceClock.OffsetSeconds(heartbeat, now);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var device = db.Set<Device>().Where(d => d.Id == deviceId && d.State == DeviceState.Paired);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        Task<int> ComeOnlineAsync() => device.Where(d => !d.RecordedOnline).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.RecordedOnline, true)
            .SetProperty(d => d.LastHeartbeatAt, now)
            .SetProperty(d => d.ClockOffsetSeconds, offset)
            .SetProperty(d => d.Firmware, d => heartbeat.Firmware ?? d.Firmware)
            .SetProperty(d => d.Model, d => heartbeat.Model ?? d.Model), ct);
        var cameOnline = await ComeOnlineAsync();
        if (cameOnline == 0 && await device.Where(d => d.RecordedOnline).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.LastHeartbeatAt, now)
            .SetProperty(d => d.ClockOffsetSeconds, offset)
            .SetProperty(d => d.Firmware, d => heartbeat.Firmware ?? d.Firmware)
            .SetProperty(d => d.Model, d => heartbeat.Model ?? d.Model), ct) == 0)
        {
            // Recorded offline between the two statements (the five-minute rule, a dropped connection): this heartbeat brings it back.
            cameOnline = await ComeOnlineAsync();
            if (cameOnline == 0) return Unknown(deviceId, DeviceTopic.Heartbeat);
        }
        Announcement? online = null;
        if (cameOnline == 1)
        {
            var placed = await device.Select(d => new { d.SiteId, d.DoorId }).FirstAsync(ct);
            online = await DeviceStatusChange.RecordAsync(db, outbox, placed.SiteId, new DeviceStatusPayload(deviceId, placed.DoorId, true, now.ToDateTimeOffset()), now, ct);
            await db.SaveChangesAsync(ct);
        }
        var clockChange = await deviceClock.NoteAsync(db, device, offset, now, outbox, ct);
        if (clockChange is not null)
        {
            await db.SaveChangesAsync(ct);
            LogClockChanged(logger, deviceId, offset, deviceClock.IsSkewed(offset));
        }
        await transaction.CommitAsync(ct);
        doors.Heard(deviceId, now);
        if (online is not null) live.Publish([online]);
        if (clockChange is not null) live.Publish([clockChange]);
        latches.DeviceHeard(deviceId, cameOnline == 1);
        return InboundOutcome.Accepted;
    }

    /// <summary>Offline mode (v2): the server's clock, and the full bundle when the controller's is older.</summary>
    private async Task<InboundOutcome> SyncAsync(Guid deviceId, SyncMessage sync, CancellationToken ct) =>
        await bundles.SyncAsync(deviceId, sync, ct) ? InboundOutcome.Accepted : Unknown(deviceId, DeviceTopic.Sync);

    private async Task<InboundOutcome> BundleAckAsync(Guid deviceId, BundleAckMessage ack, CancellationToken ct) =>
        await bundles.AcknowledgeAsync(deviceId, ack, ct) ? InboundOutcome.Accepted : Unknown(deviceId, DeviceTopic.BundleAck);

    /// <summary>A controller's input (a lockdown button): handed to whichever feature acts on it.</summary>
    private async Task<InboundOutcome> InputAsync(Guid deviceId, InputMessage input, CancellationToken ct)
    {
        foreach (var handler in inputs)
            if (await handler.HandleAsync(deviceId, input, ct) is { } outcome) return outcome;
        LogUnknownInput(logger, deviceId, LogSafe.Escape(input.Input));
        return InboundOutcome.Refused;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused input {Input} from device {DeviceId}: no feature acts on it")]
    private static partial void LogUnknownInput(ILogger logger, Guid deviceId, string input);

    /// <summary>A Last Will relayed by an external broker: the connection dropped. Online again takes a heartbeat.</summary>
    private async Task<InboundOutcome> StatusAsync(Guid deviceId, StatusMessage status, CancellationToken ct)
    {
        if (!status.Online) await ConnectionLostAsync(deviceId, ct);
        return InboundOutcome.Accepted;
    }

    /// <summary>
    /// Offline at once: decisions at the door answer <c>device_offline</c> from now on, and a device
    /// recorded online gets its offline status change, as the five-minute rule would record it later.
    /// </summary>
    public async Task ConnectionLostAsync(Guid deviceId, CancellationToken ct)
    {
        doors.Lost(deviceId);
        var now = clock.GetCurrentInstant();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var device = db.Set<Device>().Where(d => d.Id == deviceId && d.State == DeviceState.Paired);
        if (await device.Where(d => d.RecordedOnline).ExecuteUpdateAsync(s => s.SetProperty(d => d.RecordedOnline, false), ct) == 0) return;
        var placed = await device.Select(d => new { d.SiteId, d.DoorId, d.LastHeartbeatAt }).FirstAsync(ct);
        var offline = await DeviceStatusChange.RecordAsync(db, outbox, placed.SiteId,
            new DeviceStatusPayload(deviceId, placed.DoorId, false, placed.LastHeartbeatAt?.ToDateTimeOffset()), now, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        live.Publish([offline]);
        LogConnectionLost(logger, deviceId);
    }

    private async Task<InboundOutcome> StateAsync(Guid deviceId, StateMessage state, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var sensor = state.Door switch
        {
            DoorPosition.Open => DoorSensorState.Open,
            DoorPosition.Closed => DoorSensorState.Closed,
            _ => DoorSensorState.Unknown,
        };
        await using var scope = scopes.CreateAsyncScope();
        var device = scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Device>()
            .Where(d => d.Id == deviceId && d.State == DeviceState.Paired);
        var doorId = await device.Select(d => d.DoorId).FirstOrDefaultAsync(ct);
        var updated = await device.ExecuteUpdateAsync(s => s.SetProperty(d => d.DoorSensor, sensor).SetProperty(d => d.DoorSensorAt, now), ct);
        if (updated == 0) return Unknown(deviceId, DeviceTopic.State);
        if (doorId is { } door) await supervision.DoorReportedAsync(door, state.Door, state.RequestToExit == true, ct);
        return InboundOutcome.Accepted;
    }

    private async Task<InboundOutcome> AckAsync(Guid deviceId, AckMessage ack, CancellationToken ct)
    {
        // An ack for a command this device is awaited on needs no lookup: the broker vouched for the sender.
        if (!commands.IsAwaitedFrom(deviceId, ack.CommandId) && (await doors.GetAsync(ct)).Controller(deviceId) is null)
            return Unknown(deviceId, DeviceTopic.Ack);
        var result = await commands.AcknowledgeAsync(deviceId, ack, ct);
        switch (result)
        {
            case AckResult.InTime:
                return InboundOutcome.Accepted;
            case AckResult.Late:
                LogLateAck(logger, deviceId, ack.CommandId);
                return InboundOutcome.Accepted;
            case AckResult.Replayed:
            case AckResult.OtherDevice:
            case AckResult.Unknown:
                LogAckRefused(logger, deviceId, ack.CommandId, result);
                return InboundOutcome.Refused;
            default:
                throw new InvalidOperationException($"Unexpected ack result {result}.");
        }
    }

    /// <summary>Queued for <see cref="ScanWorkers"/> (no allocation but the queue's slot); a scan the queue cannot take is denied at once.</summary>
    private Task<InboundOutcome> ScanAsync(Guid deviceId, ScanMessage scan, CancellationToken ct) =>
        scans.TryEnqueue(new QueuedScan(deviceId, scan, ScanTrace.Received(deviceId, scan.ScanId), clock.GetCurrentInstant())) ? Accepted : RefuseScanAsync(deviceId, scan, ct);

    private static readonly Task<InboundOutcome> Accepted = Task.FromResult(InboundOutcome.Accepted);

    private async Task<InboundOutcome> RefuseScanAsync(Guid deviceId, ScanMessage scan, CancellationToken ct)
    {
        await scans.RefuseAsync(deviceId, scan, ct);
        return InboundOutcome.Busy;
    }

    private InboundOutcome Unknown(Guid deviceId, DeviceTopic topic)
    {
        LogUnknownDevice(logger, deviceId, topic);
        return InboundOutcome.UnknownDevice;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Topic} from device {DeviceId}: {Error}")]
    private static partial void LogMalformed(ILogger logger, Guid deviceId, DeviceTopic topic, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId}'s clock is {OffsetSeconds} s off the server's; skewed: {Skewed}")]
    private static partial void LogClockChanged(ILogger logger, Guid deviceId, int offsetSeconds, bool skewed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId} lost its broker connection: offline")]
    private static partial void LogConnectionLost(ILogger logger, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Topic} for device {DeviceId}: unknown or not paired")]
    private static partial void LogUnknownDevice(ILogger logger, Guid deviceId, DeviceTopic topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId} acknowledged command {CommandId} after its deadline; recorded as late")]
    private static partial void LogLateAck(ILogger logger, Guid deviceId, Guid commandId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused ack from device {DeviceId} for command {CommandId}: {Result}")]
    private static partial void LogAckRefused(ILogger logger, Guid deviceId, Guid commandId, AckResult result);

}

/// <summary>Acts on a controller's input message; null when the input is not this handler's.</summary>
public interface IControllerInputHandler
{
    Task<InboundOutcome?> HandleAsync(Guid deviceId, InputMessage input, CancellationToken ct);
}
