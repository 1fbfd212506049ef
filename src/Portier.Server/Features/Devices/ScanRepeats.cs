using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Devices;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// Makes a scan idempotent. A scan whose scanId the same device already sent within
/// <see cref="Window"/> (an MQTT QoS-1 redelivery, a controller retrying) is answered with the command
/// the first one got, sent again unchanged (same commandId and deadline), and is never decided,
/// counted or actuated again. A repeat arriving while the first is still being decided waits for the
/// first's answer; a later one, even after a restart, finds it in <see cref="DeviceScan"/>, written with
/// the attempt. Should two nodes take the same scan at once, the second to commit is refused by the
/// record's key and answers from the first's record.
/// </summary>
public sealed partial class ScanRepeats(IServiceScopeFactory scopes, ScanRecords records, IDeviceLink link, TimeProvider clock, ILogger<ScanRepeats> logger)
{
    /// <summary>How long a scanId is remembered per device; past it the same id is a new scan.</summary>
    public static readonly Duration Window = Duration.FromHours(24);

    /// <summary>Scans being answered on this node, each completed with its answer once that is sent (null: none was).</summary>
    private readonly ConcurrentDictionary<(Guid Device, Guid Scan), TaskCompletionSource<CommandMessage?>> _inFlight = new();

    /// <summary>The answer to an earlier scan: the command it got, or none (a door held open needs none).</summary>
    private sealed record Recorded(CommandMessage? Command);

    /// <summary>
    /// Runs <paramref name="decide"/> for a scan not seen before; answers a repeat from the first. <paramref name="services"/>
    /// is the scope the scan is decided in.
    /// </summary>
    public async Task AnswerOnceAsync(IServiceProvider services, Guid deviceId, Guid scanId, Func<Task> decide)
    {
        var key = (deviceId, scanId);
        while (true)
        {
            var mine = new TaskCompletionSource<CommandMessage?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var first = _inFlight.GetOrAdd(key, mine);
            if (first != mine)
            {
                if (await first.Task is { } answered)
                {
                    await ResendAsync(deviceId, scanId, answered);
                    return;
                }
                // The first was not decided with a record (it failed, or was answered outside the
                // pipeline): look again, as the first this time.
                continue;
            }
            try
            {
                await AnswerAsFirstAsync(services, deviceId, scanId, decide);
            }
            finally
            {
                _inFlight.TryRemove(KeyValuePair.Create(key, mine));
                mine.TrySetResult(null);
            }
            return;
        }
    }

    /// <summary>
    /// Called when a command stored with an attempt is published: repeats of the scan it answers that
    /// wait on this node get it at once, while the first still waits for the device's ack.
    /// </summary>
    public void Answered(DeviceCommand command)
    {
        if (command.ScanId is { } scanId && _inFlight.TryGetValue((command.DeviceId, scanId), out var first))
            first.TrySetResult(command.ToMessage());
    }

    private async Task AnswerAsFirstAsync(IServiceProvider services, Guid deviceId, Guid scanId, Func<Task> decide)
    {
        if (await RecordedAsync(services, deviceId, scanId) is { } recorded)
        {
            await ResendAsync(deviceId, scanId, recorded.Command);
            return;
        }
        try
        {
            await decide();
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another node recorded this scan first; what this attempt reserved was given back.
            if (await RecordedAsync(services, deviceId, scanId) is not { } other) throw;
            await ResendAsync(deviceId, scanId, other.Command);
        }
    }

    /// <summary>The recorded answer to this scan within the window; a record past the window is forgotten here.</summary>
    private async Task<Recorded?> RecordedAsync(IServiceProvider services, Guid deviceId, Guid scanId)
    {
        if (await records.FindAsync(services, deviceId, scanId) is not { } scan) return null;
        var db = services.GetRequiredService<PortierDbContext>();
        if (scan.At <= clock.GetCurrentInstant() - Window)
        {
            await db.Set<DeviceScan>().Where(s => s.DeviceId == deviceId && s.ScanId == scanId).ExecuteDeleteAsync();
            return null;
        }
        if (scan.CommandId is not { } commandId) return new Recorded(null);
        var command = await db.Set<DeviceCommand>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == commandId);
        return new Recorded(command?.ToMessage());
    }

    private async Task ResendAsync(Guid deviceId, Guid scanId, CommandMessage? answer)
    {
        if (answer is null)
        {
            LogRepeatUnanswered(logger, scanId, deviceId);
            return;
        }
        LogRepeatAnswered(logger, scanId, deviceId, answer.CommandId);
        if (!await link.PublishCommandAsync(deviceId, answer, CancellationToken.None)) LogResendFailed(logger, answer.CommandId, deviceId);
    }

    /// <summary>Forgets scans past the window, so the table holds about one window of scans.</summary>
    public async Task<int> ForgetExpiredAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var before = clock.GetCurrentInstant() - Window;
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DeviceScan>()
            .Where(s => s.At <= before).ExecuteDeleteAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scan {ScanId} from device {DeviceId} was already decided; its command {CommandId} is sent again")]
    private static partial void LogRepeatAnswered(ILogger logger, Guid scanId, Guid deviceId, Guid commandId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scan {ScanId} from device {DeviceId} was already decided without a command; nothing is sent")]
    private static partial void LogRepeatUnanswered(ILogger logger, Guid scanId, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending command {CommandId} again to device {DeviceId} failed")]
    private static partial void LogResendFailed(ILogger logger, Guid commandId, Guid deviceId);
}

/// <summary>Forgets remembered scans past <see cref="ScanRepeats.Window"/>, once an hour; on every node, since deleting them twice is harmless.</summary>
public sealed class ScanRepeatsPurge(ScanRepeats repeats, TimeProvider clock, ILogger<ScanRepeatsPurge> logger) : PeriodicWorker(logger)
{
    protected override TimeProvider Clock => clock;

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override async Task<Instant?> RunPassAsync(CancellationToken ct)
    {
        await repeats.ForgetExpiredAsync(ct);
        return null;
    }
}
