using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Telemetry;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>How many scans may wait, and how many are answered at once.</summary>
public sealed class ScanQueueOptions
{
    public const string Section = "Devices:ScanQueue";

    /// <summary>Scans waiting for an answer; beyond it a scan is denied at once with <c>server_busy</c>. About two seconds at 5,000 scans a second.</summary>
    [Range(1, 1_000_000)]
    public int Capacity { get; set; } = 10_000;

    /// <summary>Consumers taking scans off the queue; unset (0) means twice the processor count, at least 16.</summary>
    [Range(0, 1024)]
    public int Consumers { get; set; }

    /// <summary>
    /// Scans each consumer answers at once. A scan spends most of its time waiting (for the access log's
    /// group commit, then the controller's ack), so it is these waits, not processors, that need covering:
    /// the default 16 with 16 consumers keeps 256 scans in flight.
    /// </summary>
    [Range(1, 1024)]
    public int InFlightPerConsumer { get; set; } = 16;

    public int EffectiveConsumers => Consumers > 0 ? Consumers : Math.Max(16, 2 * Environment.ProcessorCount);
}

/// <summary>A scan as received (on the injected clock), waiting for its answer.</summary>
public readonly record struct QueuedScan(Guid DeviceId, ScanMessage Scan, ScanTrace Trace, Instant ReceivedAt)
{
    /// <summary>When the reader's answer is due: a command's deadline after the scan arrived.</summary>
    public Instant AnswerBy => ReceivedAt + Duration.FromTimeSpan(CommandRequest.DefaultTimeout);
}

/// <summary>
/// Answers scans off the MQTT receive path: the answer waits for the device's ack, which arrives on
/// the same connection, so one device's scans and acks never queue behind a query. A full queue
/// refuses the scan (the router denies it with <c>server_busy</c>); at shutdown every queued
/// scan is still answered and recorded before the broker and the access log writer stop.
/// </summary>
public sealed partial class ScanWorkers(
    IServiceScopeFactory scopes,
    DeviceCommands commands,
    ScanRepeats repeats,
    DoorDirectory doors,
    IOptions<ScanQueueOptions> options,
    TimeProvider clock,
    ILogger<ScanWorkers> logger)
    : ChannelWorkers<QueuedScan>(options.Value.Capacity, options.Value.EffectiveConsumers, options.Value.InFlightPerConsumer, logger)
{
    /// <summary>
    /// Fail closed: a scan whose handling fails is denied at the reader; one from an unknown device is
    /// refused in the log; one that waited in the queue past its answer's deadline is not decided at
    /// all (the reader has stopped waiting) and is denied <c>server_busy</c>, like one the queue could not take.
    /// A repeat of a scan already decided is answered as the first was (<see cref="ScanRepeats"/>).
    /// </summary>
    protected override async Task HandleAsync(QueuedScan queued)
    {
        var (deviceId, scan, trace, _) = queued;
        using var traced = trace.Enter();
        if (clock.GetCurrentInstant() >= queued.AnswerBy)
        {
            await RefuseAsync(deviceId, scan, CancellationToken.None);
            return;
        }
        PairedController? device;
        try
        {
            device = (await doors.GetAsync(CancellationToken.None)).Controller(deviceId);
        }
        catch (Exception e)
        {
            LogScanFailed(logger, deviceId, scan.ScanId, e);
            return;
        }
        if (device is null)
        {
            LogUnknownDevice(logger, deviceId);
            return;
        }
        try
        {
            // One scope (and one pooled database context) for the repeat check and the decision.
            await using var scope = scopes.CreateAsyncScope();
            await repeats.AnswerOnceAsync(scope.ServiceProvider, device.Id, scan.ScanId,
                () => scope.ServiceProvider.GetRequiredService<IScanHandler>().AnswerScanAsync(device, scan, queued.AnswerBy, CancellationToken.None));
            return;
        }
        catch (Exception e)
        {
            LogScanFailed(logger, device.Id, scan.ScanId, e);
        }
        await DenyAsync(device.Id, scan.ScanId, ReasonCode.InternalError, deny => commands.SendAndWaitAsync(device.Id, deny, CancellationToken.None));
    }

    /// <summary>Sends a deny; when the database cannot record even the deny, publishes it unrecorded, so the reader still hears no.</summary>
    private async Task DenyAsync(Guid deviceId, Guid scanId, ReasonCode reason, Func<CommandRequest, Task> send)
    {
        var deny = CommandRequest.Deny(reason, scanId);
        try
        {
            await send(deny);
        }
        catch (Exception e) when (DbErrors.IsUnavailable(e))
        {
            await PublishUnrecordedAsync(deviceId, scanId, deny);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogScanFailed(logger, deviceId, scanId, e);
        }
    }

    private async Task PublishUnrecordedAsync(Guid deviceId, Guid scanId, CommandRequest deny)
    {
        try
        {
            await commands.PublishUnrecordedDenyAsync(deviceId, deny, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogScanFailed(logger, deviceId, scanId, e);
        }
    }

    /// <summary>
    /// A scan the queue could not take: the reader is told no at once rather than left waiting for an
    /// answer that never comes. The deny is not stored (<see cref="DeviceCommands.RefuseScanAsync"/>).
    /// </summary>
    public async Task RefuseAsync(Guid deviceId, ScanMessage scan, CancellationToken ct)
    {
        LogScanRefused(logger, deviceId, scan.ScanId, Queued);
        await DenyBusyAsync(deviceId, scan, ct);
    }

    private Task DenyBusyAsync(Guid deviceId, ScanMessage scan, CancellationToken ct) =>
        DenyAsync(deviceId, scan.ScanId, ReasonCode.ServerBusy, async deny =>
        {
            if ((await doors.GetAsync(ct)).Controller(deviceId) is null) return;
            await commands.RefuseScanAsync(deviceId, deny, ct);
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused scan from device {DeviceId}: unknown or not paired")]
    private static partial void LogUnknownDevice(ILogger logger, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling scan {ScanId} at device {DeviceId} failed; denied")]
    private static partial void LogScanFailed(ILogger logger, Guid deviceId, Guid scanId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scan {ScanId} at device {DeviceId} denied as server_busy: the scan queue is full ({Queued} waiting), stopping, or the scan waited past its deadline")]
    private static partial void LogScanRefused(ILogger logger, Guid deviceId, Guid scanId, int queued);
}
