using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Devices;
using Portier.Core.Doors;
using Portier.Core.Model;
using Portier.Server.Features.Access;
using Portier.Server.Features.AccessLog;
using Portier.Core.Policy;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Rules;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Doors;

/// <summary>
/// Keeps every door's controller at the relay state its maintenance mode and auto-unlock schedule
/// ask for (<see cref="DoorRelay.Desired"/>: maintenance wins), judged on the site's wall clock. A
/// running timed override (<see cref="DoorOverride"/>) stands in for the maintenance mode, or, for an
/// unlock override, latches the door as a window would, until its end.
/// A pass (<see cref="RunDueAsync"/>) commands each door whose state changed, then sleeps until the
/// next window boundary (at most a minute) or until a door's settings change.
/// The state last commanded is kept in <see cref="DoorLatch"/>, so that after a restart:
/// a door whose state changed meanwhile (a window ended) is commanded at once, and a door still
/// latched or locked down is re-asserted exactly once, when its controller is first heard from.
/// The same goes for a controller that comes back online or replaces the door's earlier one, and
/// a command the controller missed (not sent, timed out) is sent again when it is next heard from.
/// With several server nodes on one database, the node holding the <see cref="LeaseName"/> lease runs
/// the passes (windows opening and closing, overrides ending, re-asserts and retries); a node that
/// takes the lease over re-asserts, once, what was commanded before it took it. A door changed through
/// another node's API is applied by that node at once (its change only: no re-assert, no retry), and
/// every pass, on any node, runs under one cross-node lock over fresh latch rows, so a transition is
/// commanded once.
/// </summary>
public sealed partial class DoorLatchScheduler(
    IServiceScopeFactory scopes,
    DeviceCommands commands,
    DoorSupervision supervision,
    DoorDirectory directory,
    DoorOverrides overrides,
    Decisions.PolicySnapshotStore policy,
    Leases leases,
    TimeProvider clock,
    ILogger<DoorLatchScheduler> logger) : PeriodicWorker(logger)
{
    protected override TimeProvider Clock => clock;

    public static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    /// <summary>The lease of the node that runs the passes.</summary>
    public const string LeaseName = "door-latches";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Instant _startedAt = clock.GetCurrentInstant();
    /// <summary>Doors commanded since this process started (or took the lease); the others are re-asserted once.</summary>
    private readonly ConcurrentDictionary<Guid, bool> _asserted = new();
    /// <summary>Devices whose next heartbeat should trigger a pass (a re-assert or a retry waits for them).</summary>
    private readonly ConcurrentDictionary<Guid, bool> _awaiting = new();
    /// <summary>Devices that came (back) online since their door was last commanded.</summary>
    private readonly ConcurrentDictionary<Guid, bool> _backOnline = new();
    private readonly CancellationTokenSource _stopping = new();
    /// <summary>When this node last took the lease: what was commanded before is re-asserted once.</summary>
    private Instant? _leadingSince;

    private sealed record DoorSettings(Guid Id, Guid SiteId, MaintenanceMode MaintenanceMode, DoorOverrideMode? OverrideMode, Instant? OverrideUntil,
        List<TimeBlockData> AutoUnlock, string TimeZone)
    {
        public DoorOverride? Override => DoorOverride.Of(OverrideMode, OverrideUntil);
    }

    /// <summary>The controller driving a door (<see cref="DoorDirectorySnapshot.ControllerOf"/>), and the door to name in its commands when it serves several.</summary>
    private sealed record PairedDevice(Guid Id, Guid DoorId, Instant? LastHeartbeatAt, Guid? CommandDoor);

    protected override TimeSpan Interval => MaxSleep;

    /// <summary>Only the lease holder runs the passes of its own accord; the others wake when they take it over.</summary>
    protected override async Task<Instant?> RunPassAsync(CancellationToken ct) =>
        await leases.HoldAsync(LeaseName, ct) ? await RunDueAsync(ct) : null;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        leases.Want(LeaseName, Wake);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    /// <summary>One pass over every door; returns the next instant a schedule changes a door's state.</summary>
    public Task<Instant?> RunDueAsync(CancellationToken ct = default) => RunAsync(null, ct);

    /// <summary>
    /// Applies one door's new settings at once (maintenance or schedule changed) and re-plans the
    /// next wake-up. The settings are already saved, so a failure here is logged and left to the
    /// next pass rather than failing the caller.
    /// </summary>
    public async Task ApplyDoorAsync(Guid doorId, CancellationToken ct)
    {
        try
        {
            await RunAsync(doorId, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogApplyFailed(logger, doorId, e);
        }
        finally
        {
            Wake();
        }
    }

    /// <summary>
    /// Before a door is deleted: a controller left latched open or locked down is released, since
    /// nothing would ever command it again.
    /// </summary>
    public async Task ReleaseBeforeDeleteAsync(Guid doorId, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            if (await db.Set<DoorLatch>().AnyAsync(l => l.DoorId == doorId && l.State != RelayState.Released, ct)
                && (await directory.GetAsync(ct)).ControllerOf(doorId) is { } controller)
            {
                var sent = await commands.SendAsync(controller.Id,
                    new CommandRequest(CommandType.Release, Reason: "door_deleted", DoorId: controller.CommandDoor(doorId)), ct);
                LogReleasedForDelete(logger, doorId, sent.CommandId);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A device was heard from: if a door waits for it (re-assert or retry), or it has just come
    /// (back) online, run a pass now.
    /// </summary>
    public void DeviceHeard(Guid deviceId, bool cameOnline)
    {
        if (cameOnline) _backOnline[deviceId] = true;
        if (cameOnline || _awaiting.ContainsKey(deviceId)) Wake();
    }

    private async Task<Instant?> RunAsync(Guid? onlyDoor, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var leading = await leases.HoldAsync(LeaseName, ct);
            var since = Leading(leading);
            // Latch rows are read after the lock is taken, so a pass sees every command another node's pass made.
            await using var exclusive = await leases.ExclusiveAsync(LeaseName, ct);
            var now = clock.GetCurrentInstant();
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            // Already without effect (decisions and the relay read the end from the clock); cleared here so subscribers hear of it.
            if (onlyDoor is null && leading) await overrides.ClearExpiredAsync(db, now, ct);
            var doorQuery = db.Set<Door>().AsQueryable();
            var latchQuery = db.Set<DoorLatch>().AsQueryable();
            if (onlyDoor is { } only)
            {
                doorQuery = doorQuery.Where(d => d.Id == only);
                latchQuery = latchQuery.Where(l => l.DoorId == only);
            }
            var doors = await (from d in doorQuery
                               join s in db.Set<Site>() on d.SiteId equals s.Id
                               select new DoorSettings(d.Id, d.SiteId, d.MaintenanceMode, d.OverrideMode, d.OverrideUntil, d.AutoUnlock, s.TimeZone)).AsNoTracking().ToListAsync(ct);
            var latches = await latchQuery.ToDictionaryAsync(l => l.DoorId, ct);
            var devices = await DevicesOfAsync(db, doors.Select(d => d.Id), ct);
            // The active plans and the calendar days each door follows (none for a door or scope exempt from holidays), as the decision reads them.
            var snapshot = await policy.GetAsync(ct);

            Instant? next = null;
            foreach (var door in doors)
            {
                // An unknown zone is damaged data: the door keeps what it was last told rather than follow a UTC clock.
                if (!SiteTimeZones.TryResolve(door.TimeZone, out var zone))
                {
                    LogUnknownTimeZone(logger, door.Id, door.TimeZone);
                    continue;
                }
                var schedule = new AutoUnlockSchedule(TimeBlockData.ToWeeklyHours(door.AutoUnlock), zone, snapshot.CalendarForDoor(door.Id));
                var mode = DoorOverride.Effective(door.MaintenanceMode, door.Override, now);
                if (mode == MaintenanceMode.Normal && schedule.NextChange(now) is { } change && (next is null || change < next))
                    next = change;
                if (door.Override is { } running && running.IsActiveAt(now) && (next is null || running.Until < next))
                    next = running.Until;
                var scheduled = schedule.IsLatchedAt(now);
                // A first-to-arrive door's windows count only once its group's first arrival of the local day is on record;
                // at the next local midnight that day ends and the door waits again, even inside a window running past midnight.
                if (snapshot.FirstArrivalAt(door.Id) is not null)
                {
                    if (scheduled) scheduled = await FirstArrivalQuery.TodayAsync(db, snapshot, door.Id, door.SiteId, now, ct) is not null;
                    var midnight = FirstArrivalRule.NextDayStart(now, zone);
                    if (mode == MaintenanceMode.Normal && (next is null || midnight < next)) next = midnight;
                }
                // An active lockdown or evacuation plan outranks the schedule (and force-open maintenance).
                var plan = snapshot.LockdownAt(door.Id)?.Kind;
                var desired = DoorRelay.Desired(mode, scheduled || DoorOverride.Unlocks(door.Override, now), plan);
                var latch = latches.GetValueOrDefault(door.Id);
                // The schedule (or an unlock override) opening a door is an access attempt like any other: decided and recorded by the pipeline.
                AttemptResult? opening = null;
                if (plan is null && mode == MaintenanceMode.Normal && desired == RelayState.LatchedOpen && latch?.State != desired)
                {
                    opening = await scope.ServiceProvider.GetRequiredService<AccessPipeline>().RunAsync(AccessAttempt.Schedule(door.Id), ct);
                    if (opening is not { Allowed: true }) desired = latch?.State ?? RelayState.Released;
                }
                var device = devices.GetValueOrDefault(door.Id);
                switch (Judge(door.Id, latch, desired, device, leading ? since : null))
                {
                    case Due.No:
                        if (device is not null) Forget(device.Id);
                        break;
                    case Due.WhenHeard:
                        if (device is not null) _awaiting[device.Id] = true;
                        break;
                    case Due.Now:
                        if (device is not null) Forget(device.Id);
                        await CommandAsync(db, door.Id, Reason(mode, desired, door.Override, now, plan), latch, desired, device, now,
                            opening is { Allowed: true } ? opening.Event : null, ct);
                        break;
                }
            }
            return next;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The controller driving each door, as the door directory places it (the door's default controller,
    /// else a controller whose reader serves it), with its last heartbeat as recorded.
    /// </summary>
    private async Task<Dictionary<Guid, PairedDevice>> DevicesOfAsync(PortierDbContext db, IEnumerable<Guid> doorIds, CancellationToken ct)
    {
        var placed = await directory.GetAsync(ct);
        var driving = doorIds.Select(door => (Door: door, Controller: placed.ControllerOf(door)))
            .Where(d => d.Controller is not null).ToList();
        var ids = driving.Select(d => d.Controller!.Id).Distinct().ToList();
        var heard = await db.Set<Device>().AsNoTracking().Where(d => d.State == DeviceState.Paired && ids.Contains(d.Id))
            .Select(d => new { d.Id, d.LastHeartbeatAt }).ToDictionaryAsync(d => d.Id, d => d.LastHeartbeatAt, ct);
        return driving.Where(d => heard.ContainsKey(d.Controller!.Id)).ToDictionary(
            d => d.Door, d => new PairedDevice(d.Controller!.Id, d.Door, heard[d.Controller.Id], d.Controller.CommandDoor(d.Door)));
    }

    private enum Due { No, Now, WhenHeard }

    private void Forget(Guid deviceId)
    {
        _awaiting.TryRemove(deviceId, out _);
        _backOnline.TryRemove(deviceId, out _);
    }

    /// <summary>
    /// When this node began leading (its start on a single node, else when it took the lease); a lease taken
    /// anew forgets which doors this node commanded, since another node may have commanded them meanwhile.
    /// </summary>
    private Instant Leading(bool leading)
    {
        var held = leading ? leases.HeldSince(LeaseName) : null;
        if (held != _leadingSince && held is not null) _asserted.Clear();
        _leadingSince = held;
        return held ?? _startedAt;
    }

    /// <param name="leadingSince">When this node began leading; null on a node without the lease, which only commands changes of state.</param>
    private Due Judge(Guid doorId, DoorLatch? latch, RelayState desired, PairedDevice? device, Instant? leadingSince)
    {
        if (latch is null) return desired == RelayState.Released ? Due.No : Due.Now;
        if (latch.State != desired) return Due.Now;
        if (device is null || leadingSince is not { } since) return Due.No;
        var missed = latch.CommandStatus is CommandStatus.NotSent or CommandStatus.TimedOut;
        var unsure = desired != RelayState.Released || latch.CommandStatus != CommandStatus.Confirmed;
        // Told again once: after this process starts (or takes the lease over, for what another node commanded
        // before), when another controller replaces the one told, and when a controller comes back online (it may
        // have restarted meanwhile).
        var stale = !_asserted.ContainsKey(doorId) && (_leadingSince is null || latch.CommandedAt < since);
        var reassert = unsure && (stale || latch.DeviceId != device.Id || _backOnline.ContainsKey(device.Id));
        if (!missed && !reassert) return Due.No;
        var heard = device.LastHeartbeatAt;
        if (missed && heard >= latch.CommandedAt) return Due.Now;
        if (reassert && heard >= since) return Due.Now;
        return Due.WhenHeard;
    }

    private async Task CommandAsync(PortierDbContext db, Guid doorId, string reason, DoorLatch? latch, RelayState desired, PairedDevice? device,
        Instant now, AccessEvent? opening, CancellationToken ct)
    {
        var changed = latch is null || latch.State != desired;
        SentCommand? sent = null;
        if (device is not null)
            sent = await commands.SendAsync(device.Id,
                new CommandRequest(DoorRelay.Command(desired), Reason: reason, DoorId: device.CommandDoor), ct);
        var status = sent is null ? CommandStatus.NotSent
            : sent.Outcome.IsCompletedSuccessfully ? sent.Outcome.Result.Status : CommandStatus.Pending;
        if (latch is null) db.Add(latch = DoorLatch.First(doorId, desired, device?.Id, sent?.CommandId, status, now));
        else latch.Commanded(desired, device?.Id, sent?.CommandId, status, now);
        await db.SaveChangesAsync(ct);
        _asserted[doorId] = true;
        LogCommanded(logger, doorId, desired, latch.CommandStatus);
        if (changed) await supervision.SetLatchedAsync(doorId, desired == RelayState.LatchedOpen, now, ct);
        if (opening is not null && latch.CommandStatus != CommandStatus.Pending)
            await RecordOpeningOutcomeAsync(opening, latch.CommandStatus, sent?.CommandId);
        if (device is null || sent is null) return;
        // Recorded as pending: the outcome (perhaps already in by now) is written when it is known.
        if (latch.CommandStatus == CommandStatus.Pending) _ = RecordOutcomeAsync(doorId, device.Id, sent, opening);
        else if (latch.CommandStatus != CommandStatus.Confirmed) _awaiting[device.Id] = true;
    }

    private async Task RecordOutcomeAsync(Guid doorId, Guid deviceId, SentCommand sent, AccessEvent? opening)
    {
        try
        {
            var outcome = await sent.Outcome.WaitAsync(_stopping.Token);
            if (opening is not null) await RecordOpeningOutcomeAsync(opening, outcome.Status, sent.CommandId);
            await using var scope = scopes.CreateAsyncScope();
            await DoorLatch.RecordOutcomeAsync(scope.ServiceProvider.GetRequiredService<PortierDbContext>(), doorId, sent.CommandId, outcome.Status, _stopping.Token);
            // A missed command goes out again when the controller is next heard from.
            if (outcome.Status is CommandStatus.TimedOut or CommandStatus.NotSent) _awaiting[deviceId] = true;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogOutcomeFailed(logger, doorId, sent.CommandId, e);
        }
    }

    /// <summary>What the door did about the schedule's opening, as the row that completes its attempt.</summary>
    private async Task RecordOpeningOutcomeAsync(AccessEvent opening, CommandStatus status, Guid? commandId)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AccessPipeline>()
            .RecordOutcomeAsync(opening, AccessPipeline.ToOutcome(status), commandId, [], CancellationToken.None);
    }

    /// <summary>Why the controller is told this, carried on the command for its log.</summary>
    private static string Reason(MaintenanceMode mode, RelayState desired, DoorOverride? running, Instant now, LockdownKind? plan) => (plan, mode) switch
    {
        (LockdownKind.Evacuation, not MaintenanceMode.ForceClosed) => "evacuation",
        (LockdownKind.Lockdown, not MaintenanceMode.ForceClosed) => "lockdown",
        _ when running is { } o && o.IsActiveAt(now) && desired != RelayState.Released => "timed_override",
        _ => Reason(mode, desired),
    };

    private static string Reason(MaintenanceMode mode, RelayState desired) => mode switch
    {
        MaintenanceMode.ForceOpen => "force_open",
        MaintenanceMode.ForceClosed => "force_closed",
        MaintenanceMode.Normal => desired == RelayState.LatchedOpen ? "auto_unlock" : "normal",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Door {DoorId} is skipped: its site's time zone '{TimeZone}' is not a known IANA zone")]
    private static partial void LogUnknownTimeZone(ILogger logger, Guid doorId, string timeZone);

    [LoggerMessage(Level = LogLevel.Information, Message = "Door {DoorId} commanded to {State}: {Status}")]
    private static partial void LogCommanded(ILogger logger, Guid doorId, RelayState state, CommandStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Door {DoorId} is being deleted: its controller is released by command {CommandId}")]
    private static partial void LogReleasedForDelete(ILogger logger, Guid doorId, Guid commandId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Commanding door {DoorId} after its change failed; the next pass retries")]
    private static partial void LogApplyFailed(ILogger logger, Guid doorId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the outcome of command {CommandId} for door {DoorId} failed")]
    private static partial void LogOutcomeFailed(ILogger logger, Guid doorId, Guid commandId, Exception exception);
}

public static class DoorsExtensions
{
    /// <summary>Register after the MQTT gateway, so the first pass finds the broker running.</summary>
    public static IServiceCollection AddPortierDoorLatches(this IServiceCollection services)
    {
        services.AddSingleton<DoorOverrides>();
        services.AddSingleton<DoorLatchScheduler>();
        services.AddSingleton<FirstArrivalWatcher>();
        services.AddSingleton<AccessLog.IAccessEventSink>(sp => sp.GetRequiredService<FirstArrivalWatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<DoorLatchScheduler>());
        return services;
    }
}
