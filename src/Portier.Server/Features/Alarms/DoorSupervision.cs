using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Devices;
using Portier.Core.Doors;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Alarms;

/// <summary>
/// Watches every door's sensor with <see cref="DoorSupervisor"/>: the door state lives in memory,
/// one door at a time, and every change is written (door_watches, door_alarms) before it counts
/// and before it is published, so a restart resumes with the same open doors and standing alarms.
/// Granted unlocks are kept in memory: they authorize an opening for the hold time. With several nodes
/// (<see cref="IDeviceLink.SharedAcrossNodes"/>) another node may have granted the unlock or moved the
/// door: each report then starts from the stored door and, for an opening this node did not see
/// authorized, from the grants recorded at the door.
/// </summary>
public sealed partial class DoorSupervision(
    IServiceScopeFactory scopes,
    IDoorEventPublisher events,
    WebhookOutbox outbox,
    IDeviceLink link,
    TimeProvider clock,
    ILogger<DoorSupervision> logger)
{
    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public DoorWatch? Watch { get; set; }
    }

    private sealed record DoorSettings(Guid SiteId, int HoldTimeSeconds, int OpenTimeSeconds);

    private delegate (DoorWatch Watch, IReadOnlyList<AlarmChange> Changes) Step(DoorWatch watch, DoorSettings door);

    private readonly ConcurrentDictionary<Guid, Entry> _doors = new();
    private readonly ConcurrentDictionary<Guid, Instant> _authorizedUntil = new();

    /// <summary>
    /// An unlock was granted at the door (card, app or admin): an opening that starts within the hold
    /// time is legitimate. Cheap and synchronous, for the decision path to call after every grant.
    /// </summary>
    public void NoteUnlockGranted(Guid doorId, Instant at, Duration holdTime)
    {
        var until = at + holdTime;
        _authorizedUntil.AddOrUpdate(doorId, until, (_, earlier) => earlier > until ? earlier : until);
    }

    /// <summary>
    /// The door is latched open (force_open, auto-unlock window) or no longer. While latched, openings
    /// are expected and may last; when the latch ends with the door open, its open time starts then.
    /// </summary>
    public Task SetLatchedAsync(Guid doorId, bool latched, Instant at, CancellationToken ct) =>
        UpdateAsync(doorId, (watch, _) =>
        {
            var next = DoorSupervisor.SetLatched(watch, latched);
            if (watch.Latched && !latched && watch.IsOpen) next = next with { OpenedAt = at };
            return (next, []);
        }, ct);

    /// <summary>The controller reported the door sensor (and perhaps a request-to-exit press).</summary>
    public async Task DoorReportedAsync(Guid doorId, DoorPosition position, bool requestToExit, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        if (position != DoorPosition.Closed && link.SharedAcrossNodes
            && !(_authorizedUntil.TryGetValue(doorId, out var noted) && noted >= now))
            await NoteGrantsRecordedAsync(doorId, now, ct);
        await UpdateAsync(doorId, (watch, door) =>
        {
            if (position == DoorPosition.Closed)
            {
                // A request-to-exit press with the door still closed authorizes the opening that follows.
                if (requestToExit) NoteUnlockGranted(doorId, now, Duration.FromSeconds(door.HoldTimeSeconds));
                return DoorSupervisor.Closed(watch, now);
            }
            var authorized = _authorizedUntil.TryGetValue(doorId, out var until) ? watch with { AuthorizedUntil = until } : watch;
            return DoorSupervisor.Opened(authorized, now, requestToExit);
        }, ct);
    }

    /// <summary>The newest grant recorded at the door within the longest hold time, by whichever node decided it.</summary>
    private async Task NoteGrantsRecordedAsync(Guid doorId, Instant now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var since = now - Duration.FromSeconds(Door.MaxHoldSeconds);
        var granted = await db.Set<AccessEvent>().AsNoTracking()
            .Where(e => e.DoorId == doorId && e.At >= since && e.Allowed && e.OutcomeOf == null)
            .OrderByDescending(e => e.At).Select(e => (Instant?)e.At).FirstOrDefaultAsync(ct);
        if (granted is not { } at) return;
        var hold = await db.Set<Door>().Where(d => d.Id == doorId).Select(d => d.HoldTimeSeconds).FirstOrDefaultAsync(ct);
        NoteUnlockGranted(doorId, at, Duration.FromSeconds(hold));
    }

    /// <summary>Raises held-open warnings and alarms that are due at the doors standing open.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        foreach (var (doorId, entry) in _doors)
        {
            if (entry.Watch is not { IsOpen: true, Latched: false }) continue;
            await UpdateAsync(doorId, Tick(now), ct);
        }
    }

    /// <summary>
    /// Ticks the doors the database records open, each read afresh: with several server nodes, a door's
    /// sensor reports reach whichever node their message reaches, so this node's memory may be behind.
    /// </summary>
    public async Task TickRecordedAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        List<Guid> open;
        await using (var scope = scopes.CreateAsyncScope())
        {
            open = await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DoorWatchState>()
                .Where(w => w.IsOpen && !w.Latched).Select(w => w.DoorId).ToListAsync(ct);
        }
        foreach (var doorId in open) await UpdateAsync(doorId, Tick(now), ct, fresh: true);
    }

    private static Step Tick(Instant now) => (watch, door) => DoorSupervisor.Tick(watch, now, Duration.FromSeconds(door.OpenTimeSeconds));

    /// <summary>At start-up: brings the doors left open back into memory so their open time keeps counting.</summary>
    public async Task LoadOpenDoorsAsync(CancellationToken ct)
    {
        List<Guid> open;
        await using (var scope = scopes.CreateAsyncScope())
        {
            open = await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DoorWatchState>()
                .Where(w => w.IsOpen).Select(w => w.DoorId).ToListAsync(ct);
        }
        foreach (var doorId in open) await UpdateAsync(doorId, (watch, _) => (watch, []), ct);
    }

    /// <param name="fresh">Reads the door's watch from the database rather than memory.</param>
    private async Task UpdateAsync(Guid doorId, Step step, CancellationToken ct, bool fresh = false)
    {
        var entry = _doors.GetOrAdd(doorId, _ => new Entry());
        await entry.Gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            var door = await db.Set<Door>().AsNoTracking().Where(d => d.Id == doorId)
                .Select(d => new DoorSettings(d.SiteId, d.HoldTimeSeconds, d.OpenTimeSeconds)).FirstOrDefaultAsync(ct);
            if (door is null)
            {
                _doors.TryRemove(doorId, out _);
                return;
            }
            var row = await db.Set<DoorWatchState>().FirstOrDefaultAsync(w => w.DoorId == doorId, ct);
            // With several nodes another node may have moved the door since: the stored door is its state.
            if (fresh || entry.Watch is null || link.SharedAcrossNodes) entry.Watch = await LoadAsync(db, doorId, row, ct);
            var watch = entry.Watch;
            var (next, changes) = step(watch, door);
            if (next == watch && changes.Count == 0) return;

            var now = clock.GetCurrentInstant();
            if (row is null)
            {
                row = new DoorWatchState { DoorId = doorId };
                db.Add(row);
            }
            row.IsOpen = next.IsOpen;
            row.OpenedAt = next.OpenedAt;
            row.Latched = next.Latched;
            row.ChangedAt = now;
            var touched = (await ApplyAlarmsAsync(db, doorId, door.SiteId, changes, ct)).Select(AlarmResponse.From).ToList();
            var state = next.IsOpen != watch.IsOpen || next.Latched != watch.Latched
                ? new DoorStateChanged(doorId, door.SiteId, next.IsOpen, next.Latched, now.ToDateTimeOffset())
                : null;
            await outbox.AddAsync(db, Webhooks(state, touched, now), ct);
            await db.SaveChangesAsync(ct);
            entry.Watch = next;

            if (state is not null) await PublishAsync(p => p.DoorStateChangedAsync(state, ct));
            foreach (var alarm in touched)
                await PublishAsync(p => alarm.Standing ? p.AlarmRaisedAsync(alarm, ct) : p.AlarmClearedAsync(alarm, ct));
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>
    /// Raises an alarm the door's sensor does not (a burst of invalid credentials at its reader): stored
    /// with its webhook event in one save, then published, like the sensor's alarms.
    /// </summary>
    public async Task RaiseAsync(Guid doorId, Guid siteId, AlarmKind kind, Instant at, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var alarm = new Alarm { SiteId = siteId, DoorId = doorId, Kind = kind, RaisedAt = at };
        db.Add(alarm);
        var raised = AlarmResponse.From(alarm);
        await outbox.AddAsync(db, Webhooks(null, [raised], at), ct);
        await db.SaveChangesAsync(ct);
        await PublishAsync(p => p.AlarmRaisedAsync(raised, ct));
    }

    /// <summary>The standing alarms of <paramref name="kind"/>, by door, for the source that raised them to decide which are over.</summary>
    public async Task<IReadOnlyList<(Guid AlarmId, Guid DoorId)>> StandingAsync(AlarmKind kind, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var standing = await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Alarm>().AsNoTracking()
            .Where(a => a.Kind == kind && a.ClearedAt == null && a.DoorId != null).Select(a => new { a.Id, a.DoorId }).ToListAsync(ct);
        return [.. standing.Select(a => (AlarmId: a.Id, DoorId: a.DoorId!.Value))];
    }

    /// <summary>Clears standing alarms the door's sensor does not clear (the burst is over); stored, sent to webhooks, published.</summary>
    public async Task ClearAsync(IReadOnlyCollection<Guid> alarmIds, Instant at, CancellationToken ct)
    {
        if (alarmIds.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var alarms = await db.Set<Alarm>().Where(a => alarmIds.Contains(a.Id) && a.ClearedAt == null).ToListAsync(ct);
        foreach (var alarm in alarms) alarm.ClearedAt = at;
        var cleared = alarms.Select(AlarmResponse.From).ToList();
        await outbox.AddAsync(db, Webhooks(null, cleared, at), ct);
        await db.SaveChangesAsync(ct);
        foreach (var alarm in cleared) await PublishAsync(p => p.AlarmClearedAsync(alarm, ct));
    }

    /// <summary>The webhook events of one door change, written in the same save as the change.</summary>
    private static List<WebhookEvent> Webhooks(DoorStateChanged? state, IReadOnlyList<AlarmResponse> alarms, Instant now)
    {
        var events = new List<WebhookEvent>();
        if (state is not null) events.Add(new WebhookEvent(WebhookEventTypes.DoorStateChanged, state.SiteId, now, state));
        events.AddRange(alarms.Select(SystemAlarms.WebhookOf));
        return events;
    }

    private static async Task<DoorWatch> LoadAsync(PortierDbContext db, Guid doorId, DoorWatchState? row, CancellationToken ct)
    {
        var standing = await db.Set<Alarm>().AsNoTracking().Where(a => a.DoorId == doorId && a.ClearedAt == null && a.Kind != AlarmKind.InvalidCredentialBurst)
            .Select(a => a.Kind).ToListAsync(ct);
        return DoorWatch.Closed with
        {
            IsOpen = row?.IsOpen ?? false,
            OpenedAt = row?.OpenedAt,
            Latched = row?.Latched ?? false,
            Standing = standing.Select(Alarm.CoreOf).ToHashSet(),
        };
    }

    /// <summary>Adds raised alarms and stamps cleared ones; returns the rows touched, in order.</summary>
    private static async Task<List<Alarm>> ApplyAlarmsAsync(PortierDbContext db, Guid doorId, Guid siteId, IReadOnlyList<AlarmChange> changes, CancellationToken ct)
    {
        var touched = new List<Alarm>();
        if (changes.Count == 0) return touched;
        var standing = changes.Any(c => !c.Raised)
            ? await db.Set<Alarm>().Where(a => a.DoorId == doorId && a.ClearedAt == null).ToListAsync(ct)
            : [];
        foreach (var change in changes)
        {
            var kind = Alarm.KindOf(change.Alarm);
            if (change.Raised)
            {
                var alarm = new Alarm { SiteId = siteId, DoorId = doorId, Kind = kind, RaisedAt = change.At };
                db.Add(alarm);
                touched.Add(alarm);
                continue;
            }
            foreach (var alarm in standing.Where(a => a.Kind == kind))
            {
                alarm.ClearedAt = change.At;
                touched.Add(alarm);
            }
        }
        return touched;
    }

    private async Task PublishAsync(Func<IDoorEventPublisher, Task> publish)
    {
        try
        {
            await publish(events);
        }
        catch (Exception e)
        {
            LogPublishFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing a door event failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}

/// <summary>
/// Every second on the injected clock: ticks the open doors (the first time, after loading those left open).
/// With several server nodes, only the holder of the <see cref="LeaseName"/> lease ticks, each door as
/// the database records it, so a held-open alarm is raised once.
/// </summary>
public sealed class DoorSupervisionTicker(DoorSupervision supervision, Leases leases, TimeProvider clock, ILogger<DoorSupervisionTicker> logger)
    : PeriodicWorker(logger)
{
    public const string LeaseName = "door-supervision";

    protected override TimeProvider Clock => clock;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        leases.Want(LeaseName, Wake);
        return base.StartAsync(cancellationToken);
    }

    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);

    private bool _loaded;

    protected override TimeSpan Interval => TickInterval;

    protected override TimeSpan FirstPassDelay => TickInterval;

    protected override async Task<Instant?> RunPassAsync(CancellationToken ct)
    {
        if (!await leases.HoldAsync(LeaseName, ct)) return null;
        if (leases.Shared)
        {
            await supervision.TickRecordedAsync(ct);
            return null;
        }
        if (!_loaded)
        {
            await supervision.LoadOpenDoorsAsync(ct);
            _loaded = true;
        }
        await supervision.TickAsync(ct);
        return null;
    }
}
