using Portier.Core.Decisions;
using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Devices;
using Portier.Server.Features.Telemetry;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>A command to send; the deadline is <see cref="Timeout"/> after sending (default 5 s).</summary>
/// <see cref="DoorId"/> names the door for a controller that serves more than one (null for one with a single door).
public sealed record CommandRequest(CommandType Type, int? HoldSeconds = null, string? Reason = null, Guid? ScanId = null, TimeSpan? Timeout = null, Guid? DoorId = null)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public static CommandRequest Unlock(int holdSeconds, Guid? scanId = null) => new(CommandType.Unlock, holdSeconds, ScanId: scanId);

    public static CommandRequest Deny(ReasonCode reason, Guid? scanId = null) => new(CommandType.Deny, Reason: reason.ToCode(), ScanId: scanId);
}

/// <summary>How a command ended: confirmed, failed (device said no), timed_out or not_sent.</summary>
public sealed record CommandOutcome(Guid CommandId, CommandStatus Status, Instant? AckAt)
{
    public bool IsConfirmed => Status == CommandStatus.Confirmed;
}

/// <summary>A command on its way: its id at once, its outcome when acked or past its deadline.</summary>
public sealed record SentCommand(Guid CommandId, Task<CommandOutcome> Outcome)
{
    public static SentCommand NotSent(Guid commandId) =>
        new(commandId, Task.FromResult(new CommandOutcome(commandId, CommandStatus.NotSent, null)));
}

/// <summary>What became of an acknowledgement.</summary>
public enum AckResult { InTime, Late, Replayed, OtherDevice, Unknown }

/// <summary>
/// Sends commands and tracks them to their outcome. Each command is written as pending before it
/// is published; an ack before the deadline confirms it, the deadline (a timer on the injected
/// clock) times it out, and an ack after that is recorded as late. Nothing is ever re-sent: after
/// a restart, commands past their deadline are marked timed out and the rest wait out their deadline.
/// With several nodes (<see cref="IDeviceLink.SharedAcrossNodes"/>) an ack may reach a node that did
/// not send the command: that node settles it in the database and tells the sender
/// (<see cref="CommandOutcomeNotices"/>); the sender, at the deadline, times the command out only if no
/// node settled it, in one conditional update, so an ack in time is never taken for a late one.
/// </summary>
public sealed partial class DeviceCommands(
    IServiceScopeFactory scopes,
    IDeviceLink link,
    ScanRepeats repeats,
    CommandOutcomeNotices notices,
    TimeProvider clock,
    ILogger<DeviceCommands> logger) : IHostedService
{
    private readonly ConcurrentDictionary<Guid, Pending> _pending = new();

    /// <summary>Commands published and not yet acknowledged nor past their deadline.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Who writes a command's outcome down.</summary>
    private enum Settlement
    {
        /// <summary>Stored by <see cref="SendAsync"/>; its outcome is written here.</summary>
        Here,
        /// <summary>The caller stores the outcome with its own writes (see <see cref="PublishStoredAsync"/>).</summary>
        ByCaller,
        /// <summary>Never stored (<see cref="RefuseScanAsync"/>): nothing is written at all.</summary>
        NotStored,
    }

    private sealed class Pending(Guid deviceId, Settlement settlement)
    {
        public Guid DeviceId { get; } = deviceId;
        public Settlement Settlement { get; } = settlement;
        public TaskCompletionSource<CommandOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ITimer? Timer { get; set; }
    }

    /// <summary>
    /// Sends the command and waits for its outcome. Cancelling stops the wait only: the command
    /// still times out or confirms on its own record.
    /// </summary>
    public async Task<CommandOutcome> SendAndWaitAsync(Guid deviceId, CommandRequest request, CancellationToken ct) =>
        await (await SendAsync(deviceId, request, ct)).Outcome.WaitAsync(ct);

    /// <summary>
    /// Stores and publishes the command, returning once it is on its way (or known not sent);
    /// <see cref="SentCommand.Outcome"/> completes with the ack or the deadline. Commands to one
    /// device sent one after another reach it in that order.
    /// </summary>
    public async Task<SentCommand> SendAsync(Guid deviceId, CommandRequest request, CancellationToken ct)
    {
        var command = Prepare(deviceId, request);
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            if (!await db.Set<Device>().AnyAsync(d => d.Id == deviceId && d.State == DeviceState.Paired, ct))
                command.Status = CommandStatus.NotSent;
            db.Add(command);
            await db.SaveChangesAsync(ct);
        }
        if (command.Status == CommandStatus.NotSent) return SentCommand.NotSent(command.Id);
        return await PublishAsync(command, Settlement.Here, ct);
    }

    /// <summary>
    /// Denies a scan the server could not take (its queue full, or the scan waited past its answer's
    /// deadline), to a device the caller knows is paired. Under load a refusal must cost less than an
    /// answer, or refusing is what overloads the server: the deny is published and its ack matched in
    /// memory, and nothing is written (the scan was not decided; the refusal is in the log).
    /// </summary>
    public Task<SentCommand> RefuseScanAsync(Guid deviceId, CommandRequest deny, CancellationToken ct)
    {
        if (deny.Type != CommandType.Deny) throw new ArgumentException("Only a deny refuses a scan.", nameof(deny));
        return PublishAsync(Prepare(deviceId, deny), Settlement.NotStored, ct);
    }

    /// <summary>
    /// A pending command for the caller to store in its own transaction (<see cref="StoreCommand"/>,
    /// with the access event that causes it), to a device the caller knows is paired. Once stored,
    /// <see cref="PublishStoredAsync"/> sends it, and the caller records its outcome
    /// (<see cref="SettleCommand"/>, with the outcome event): the scan path then costs one commit before
    /// the answer and one after, shared with every other scan of the moment, instead of three of its own.
    /// </summary>
    public DeviceCommand Prepare(Guid deviceId, CommandRequest request)
    {
        var now = clock.GetCurrentInstant();
        return new DeviceCommand
        {
            DeviceId = deviceId,
            Type = request.Type,
            HoldSeconds = request.HoldSeconds,
            Reason = request.Reason,
            ScanId = request.ScanId,
            DoorId = request.DoorId,
            SentAt = now,
            Deadline = now + Duration.FromTimeSpan(request.Timeout ?? CommandRequest.DefaultTimeout),
        };
    }

    /// <summary>
    /// Publishes a command the caller has stored. Its outcome is the caller's to record (a restart
    /// times it out), unless <paramref name="settledByCaller"/> is false: then it is recorded here, as
    /// for <see cref="SendAsync"/>. A command answering a scan is also the answer to that scan's
    /// repeats (<see cref="ScanRepeats"/>).
    /// </summary>
    public async Task<SentCommand> PublishStoredAsync(DeviceCommand command, bool settledByCaller, CancellationToken ct)
    {
        var sent = await PublishAsync(command, settledByCaller ? Settlement.ByCaller : Settlement.Here, ct);
        repeats.Answered(command);
        return sent;
    }

    private async Task<SentCommand> PublishAsync(DeviceCommand command, Settlement settlement, CancellationToken ct)
    {
        // A command the controller must drop on arrival is not sent at all (it waited for the database, or in a queue).
        if (command.Deadline <= clock.GetCurrentInstant())
        {
            LogDeadlinePassed(logger, command.Id, command.DeviceId, command.Type);
            if (settlement == Settlement.Here) await SetStatusAsync(command.Id, CommandStatus.NotSent, null, CancellationToken.None);
            return SentCommand.NotSent(command.Id);
        }
        var span = PortierTelemetry.StartCommand(command); // telemetry: publish until ack or deadline
        var dueIn = (command.Deadline - clock.GetCurrentInstant()).ToTimeSpan();
        var pending = Track(command.Id, command.DeviceId, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, settlement);
        var message = command.ToMessage();
        bool published;
        try
        {
            published = await link.PublishCommandAsync(command.DeviceId, message, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPublishFailed(logger, command.Id, command.DeviceId, e);
            published = false;
        }
        if (published) ScanTrace.CommandPublished(command.ScanId, command.Type);
        if (!published && _pending.TryRemove(command.Id, out _))
        {
            pending.Timer?.Dispose();
            PortierTelemetry.EndCommand(span, CommandStatus.NotSent);
            if (settlement == Settlement.Here) await SetStatusAsync(command.Id, CommandStatus.NotSent, null, CancellationToken.None);
            return SentCommand.NotSent(command.Id);
        }
        PortierTelemetry.EndCommand(span, pending.Completion.Task);
        return new SentCommand(command.Id, pending.Completion.Task);
    }

    /// <summary>
    /// Publishes a deny without storing or tracking it, for when the database cannot take even that:
    /// the reader then hears no rather than nothing. Only a deny may skip its record; its ack finds
    /// no command and is refused in the log.
    /// </summary>
    public async Task<bool> PublishUnrecordedDenyAsync(Guid deviceId, CommandRequest request, CancellationToken ct)
    {
        if (request.Type != CommandType.Deny) throw new ArgumentException("Only a deny may be sent without its record.", nameof(request));
        var command = Prepare(deviceId, request);
        var message = new CommandMessage(command.Id, command.Type, command.Deadline.ToDateTimeOffset(), command.HoldSeconds, command.Reason, command.ScanId);
        LogUnrecordedDeny(logger, command.Id, deviceId, request.Reason);
        return await link.PublishCommandAsync(deviceId, message, ct);
    }

    /// <summary>
    /// Whether the command is on its way to this very device and not yet answered: its ack then
    /// needs no database lookup to be matched.
    /// </summary>
    public bool IsAwaitedFrom(Guid deviceId, Guid commandId) =>
        _pending.TryGetValue(commandId, out var pending) && pending.DeviceId == deviceId;

    /// <summary>Matches an ack to its command: in time confirms, after the deadline records late, anything else is refused.</summary>
    public async Task<AckResult> AcknowledgeAsync(Guid deviceId, AckMessage ack, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        if (_pending.TryGetValue(ack.CommandId, out var pending))
        {
            if (pending.DeviceId != deviceId) return AckResult.OtherDevice;
            if (_pending.TryRemove(ack.CommandId, out _))
            {
                pending.Timer?.Dispose();
                var status = ack.Ok ? CommandStatus.Confirmed : CommandStatus.Failed;
                if (pending.Settlement == Settlement.Here) await SetStatusAsync(ack.CommandId, status, now, ct);
                pending.Completion.TrySetResult(new CommandOutcome(ack.CommandId, status, now));
                return AckResult.InTime;
            }
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        if (link.SharedAcrossNodes && await SettleForSenderAsync(db, deviceId, ack, now, ct)) return AckResult.InTime;
        // Pending past its deadline means the deadline timer has just fired and not yet written
        // timed_out. Pending before it, yet no longer awaited, means the command was acknowledged a
        // moment ago and its outcome is being written: this ack is a repeat and changes nothing.
        var late = await db.Set<DeviceCommand>()
            .Where(c => c.Id == ack.CommandId && c.DeviceId == deviceId
                && (c.Status == CommandStatus.TimedOut || (c.Status == CommandStatus.Pending && c.Deadline <= now)))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CommandStatus.LateAck).SetProperty(c => c.AckAt, now), ct);
        if (late == 1) return AckResult.Late;
        var known = await db.Set<DeviceCommand>().AsNoTracking()
            .Where(c => c.Id == ack.CommandId).Select(c => new { c.DeviceId, c.Status }).FirstOrDefaultAsync(ct);
        if (known is null || known.Status == CommandStatus.NotSent) return AckResult.Unknown;
        return known.DeviceId != deviceId ? AckResult.OtherDevice : AckResult.Replayed;
    }

    /// <summary>
    /// An ack in time for a command another node sent (or one this node sent and has already had
    /// answered: the same outcome again): settled here and announced, so the sender answers with it.
    /// </summary>
    private static async Task<bool> SettleForSenderAsync(PortierDbContext db, Guid deviceId, AckMessage ack, Instant now, CancellationToken ct)
    {
        var status = ack.Ok ? CommandStatus.Confirmed : CommandStatus.Failed;
        var settled = await db.Set<DeviceCommand>()
            .Where(c => c.Id == ack.CommandId && c.DeviceId == deviceId && c.Status == CommandStatus.Pending && c.Deadline > now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, status).SetProperty(c => c.AckAt, now), ct);
        if (settled == 0) return false;
        await CommandOutcomeNotices.NotifyAsync(db, new CommandOutcome(ack.CommandId, status, now), ct);
        return true;
    }

    /// <summary>Another node settled a command: the wait for it here ends with that outcome, already stored.</summary>
    private void SettledElsewhere(CommandOutcome outcome)
    {
        if (!_pending.TryRemove(outcome.CommandId, out var pending)) return;
        pending.Timer?.Dispose();
        pending.Completion.TrySetResult(outcome);
    }

    private Pending Track(Guid commandId, Guid deviceId, TimeSpan dueIn, Settlement settlement)
    {
        var pending = new Pending(deviceId, settlement);
        _pending[commandId] = pending;
        pending.Timer = clock.CreateTimer(_ => _ = ExpireAsync(commandId), null, dueIn, Timeout.InfiniteTimeSpan);
        return pending;
    }

    private async Task ExpireAsync(Guid commandId)
    {
        if (!_pending.TryRemove(commandId, out var pending)) return;
        pending.Timer?.Dispose();
        var outcome = new CommandOutcome(commandId, CommandStatus.TimedOut, null);
        try
        {
            if (link.SharedAcrossNodes && pending.Settlement != Settlement.NotStored) outcome = await TimeOutUnlessSettledAsync(commandId);
            else if (pending.Settlement == Settlement.Here) await SetStatusAsync(commandId, CommandStatus.TimedOut, null, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogExpireFailed(logger, commandId, e);
        }
        if (outcome.Status == CommandStatus.TimedOut) LogTimedOut(logger, commandId, pending.DeviceId);
        pending.Completion.TrySetResult(outcome);
    }

    /// <summary>
    /// With other nodes handling acks: the command times out unless a node settled it first (one
    /// conditional update decides), in which case the stored outcome is the command's.
    /// </summary>
    private async Task<CommandOutcome> TimeOutUnlessSettledAsync(Guid commandId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var commands = scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DeviceCommand>();
        var timedOut = new CommandOutcome(commandId, CommandStatus.TimedOut, null);
        if (await commands.Where(c => c.Id == commandId && c.Status == CommandStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CommandStatus.TimedOut)) == 1)
            return timedOut;
        var stored = await commands.AsNoTracking().Where(c => c.Id == commandId).Select(c => new { c.Status, c.AckAt }).FirstOrDefaultAsync();
        return stored is { Status: CommandStatus.Confirmed or CommandStatus.Failed } ? new CommandOutcome(commandId, stored.Status, stored.AckAt) : timedOut;
    }

    /// <summary>Moves a pending command to its outcome; a command already decided is left alone.</summary>
    private async Task SetStatusAsync(Guid commandId, CommandStatus status, Instant? ackAt, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DeviceCommand>()
            .Where(c => c.Id == commandId && c.Status == CommandStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, status).SetProperty(c => c.AckAt, ackAt), ct);
    }

    /// <summary>
    /// After a restart: past-deadline commands become timed_out; the others are tracked to their deadline.
    /// With several nodes the open commands may be other nodes' in flight: only those past their deadline
    /// by <see cref="OtherNodesGrace"/> are timed out, and none is tracked here.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        notices.Heard += SettledElsewhere;
        var now = clock.GetCurrentInstant();
        var shared = link.SharedAcrossNodes;
        var overdue = shared ? now - OtherNodesGrace : now;
        await using var scope = scopes.CreateAsyncScope();
        var commands = scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DeviceCommand>();
        var expired = await commands.Where(c => c.Status == CommandStatus.Pending && c.Deadline <= overdue)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CommandStatus.TimedOut), cancellationToken);
        var open = shared ? [] : await commands.AsNoTracking().Where(c => c.Status == CommandStatus.Pending)
            .Select(c => new { c.Id, c.DeviceId, c.Deadline }).ToListAsync(cancellationToken);
        foreach (var c in open) Track(c.Id, c.DeviceId, (c.Deadline - now).ToTimeSpan(), Settlement.Here);
        if (expired > 0 || open.Count > 0) LogRecovered(logger, expired, open.Count);
    }

    /// <summary>How long past its deadline another node's command may still be settled by that node (a minute, like attempts left pending).</summary>
    public static readonly Duration OtherNodesGrace = Duration.FromMinutes(1);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        notices.Heard -= SettledElsewhere;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {CommandId} ({Type}) to device {DeviceId} was not sent: its deadline passed before it could go out")]
    private static partial void LogDeadlinePassed(ILogger logger, Guid commandId, Guid deviceId, CommandType type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deny {CommandId} ({Reason}) sent to device {DeviceId} without its record: the database is unavailable")]
    private static partial void LogUnrecordedDeny(ILogger logger, Guid commandId, Guid deviceId, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing command {CommandId} to device {DeviceId} failed")]
    private static partial void LogPublishFailed(ILogger logger, Guid commandId, Guid deviceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording the timeout of command {CommandId} failed")]
    private static partial void LogExpireFailed(ILogger logger, Guid commandId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {CommandId} to device {DeviceId} timed out")]
    private static partial void LogTimedOut(ILogger logger, Guid commandId, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Commands after restart: {Expired} timed out, {Open} still within their deadline")]
    private static partial void LogRecovered(ILogger logger, int expired, int open);
}
