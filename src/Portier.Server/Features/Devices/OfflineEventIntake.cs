using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Core.Doors;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Doors;
using Portier.Server.Features.People;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Logging;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// Stores what a controller decided and saw on its own (device protocol v2, <c>events</c>), once per
/// controller and sequence, and answers <c>events-ack</c>. Within a batch events are stored in the order
/// of the controller's clock. Access events go through the access log's one writer, so they join the
/// site's hash chain, the live stream and the webhooks like every other attempt, flagged
/// <see cref="AccessEvent.OccurredOffline"/>; a use spent offline is added to the credential's count.
/// Door events are kept as the door's history; an opening nobody authorized is recorded as a
/// <c>door_forced_open</c> alarm already cleared, never raised live: it is over by the time anyone hears of it.
/// </summary>
public sealed partial class OfflineEventIntake(
    IServiceScopeFactory scopes,
    AccessEventWriter writer,
    DoorDirectory doors,
    IDeviceLink link,
    TimeProvider clock,
    ILogger<OfflineEventIntake> logger)
{
    /// <summary>One upload at a time per controller, so a repeat waits for the first and then finds it stored.</summary>
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _gates = new();

    public async Task<InboundOutcome> HandleAsync(Guid deviceId, EventsMessage message, CancellationToken ct)
    {
        if ((await doors.GetAsync(ct)).Controller(deviceId) is not { } controller)
        {
            LogUnknownDevice(logger, deviceId);
            return InboundOutcome.UnknownDevice;
        }
        var gate = _gates.GetOrAdd(deviceId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        long? upTo;
        try
        {
            upTo = await StoreAsync(controller, message, ct);
        }
        finally
        {
            gate.Release();
        }
        if (upTo is { } stored)
            await link.PublishAsync(deviceId, DeviceTopic.EventsAck, DeviceProtocol.Serialize(new EventsAckMessage(stored)), ct);
        return InboundOutcome.Accepted;
    }

    /// <summary>Stores the batch's new events; returns the sequence every event up to which is now stored (null: none).</summary>
    private async Task<long?> StoreAsync(PairedController controller, EventsMessage message, CancellationToken ct)
    {
        var received = clock.GetCurrentInstant();
        var batch = message.Events.Where(e => e.Sequence > 0).DistinctBy(e => e.Sequence).ToList();
        var sequences = batch.Select(e => e.Sequence).ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var known = (await db.Set<ControllerEvent>().AsNoTracking()
            .Where(e => e.DeviceId == controller.Id && sequences.Contains(e.Sequence)).Select(e => e.Sequence).ToListAsync(ct)).ToHashSet();
        // The controller's clock orders what happened; its numbering breaks ties.
        var fresh = batch.Where(e => !known.Contains(e.Sequence)).OrderBy(e => e.At).ThenBy(e => e.Sequence).ToList();
        var directory = await doors.GetAsync(ct);
        var facts = await KnownFactsAsync(db, controller.SiteId, fresh, ct);

        var failed = new List<long>();
        var accessRows = new List<(OfflineEvent Event, Task Stored)>();
        var doorRows = new List<ControllerEvent>();
        foreach (var e in fresh)
        {
            var door = directory.Door(e.DoorId) is { } found && found.SiteId == controller.SiteId ? found : null;
            ControllerEvent Ledger(Guid? accessEventId) => new()
            {
                DeviceId = controller.Id, Sequence = e.Sequence, Type = e.Type, At = Instant.FromDateTimeOffset(e.At), ReceivedAt = received,
                DoorId = door?.Id, ReaderId = e.ReaderId, AccessEventId = accessEventId, Door = e.Door, RequestToExit = e.RequestToExit,
                BundleVersion = e.BundleVersion,
            };
            if (door is null) LogForeignDoor(logger, controller.Id, e.Sequence, e.DoorId);
            if (e.Type == OfflineEventType.Access && door is not null)
            {
                var access = ToAccessEvent(controller, door, e, facts);
                IEventCompanion[] companions =
                [
                    new RecordControllerEvent(Ledger(access.Id)),
                    .. access is { Allowed: true, CredentialId: { } used } ? new IEventCompanion[] { new CountCredentialUse(used) } : [],
                ];
                // Queued in order without waiting in between: the writer keeps the order and commits them in groups.
                accessRows.Add((e, writer.AppendAsync(access, companions, ct)));
            }
            else
            {
                doorRows.Add(Ledger(null));
            }
        }

        var storedAccess = 0;
        foreach (var (e, stored) in accessRows)
        {
            try
            {
                await stored;
                storedAccess++;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // A second node storing the same upload loses on the unique index; anything else is retried by the controller.
                if (await IsStoredAsync(db, controller.Id, e.Sequence, ct)) continue;
                LogStoreFailed(logger, controller.Id, e.Sequence, error);
                failed.Add(e.Sequence);
            }
        }
        var storedDoor = await StoreDoorEventsAsync(db, controller, fresh, doorRows, directory, received, ct);
        if (!storedDoor) failed.AddRange(doorRows.Select(r => r.Sequence));

        var decidedAt = fresh.Where(e => e.Type == OfflineEventType.Access && !failed.Contains(e.Sequence)).Select(e => (Instant?)Instant.FromDateTimeOffset(e.At)).Max();
        await CountAsync(db, controller.Id, storedAccess + (storedDoor ? doorRows.Count : 0), decidedAt, message.Dropped, ct);
        if (fresh.Count > 0) LogStored(logger, controller.Id, fresh.Count - failed.Count, batch.Count - fresh.Count, failed.Count);

        if (sequences.Count == 0) return null;
        var firstFailed = failed.Count == 0 ? (long?)null : failed.Min();
        var handled = sequences.Where(s => firstFailed is null || s < firstFailed).ToList();
        return handled.Count == 0 ? null : handled.Max();
    }

    private static AccessEvent ToAccessEvent(PairedController controller, Door door, OfflineEvent e, KnownFacts facts)
    {
        // Only what the site knows is linked: an id the bundle carried but the server no longer has is left out.
        Guid? credential = e.CredentialId is { } credentialId && facts.Credentials.ContainsKey(credentialId) ? credentialId : null;
        Guid? person = credential is { } c ? facts.Credentials[c] : e.PersonId is { } personId && facts.People.Contains(personId) ? personId : null;
        var reason = e.Reason is { } code && ReasonCodes.TryParse(code, out var parsed) ? parsed
            : e.Allowed == true ? ReasonCode.Granted : ReasonCode.InternalError;
        var allowed = e.Allowed == true;
        return new AccessEvent
        {
            SiteId = controller.SiteId,
            DoorId = door.Id,
            ZoneId = door.ZoneId,
            PersonId = person,
            CredentialId = credential,
            CredentialKind = e.CredentialKind,
            DeviceId = controller.Id,
            ReaderId = e.ReaderId,
            Method = AccessMethod.Scan,
            At = Instant.FromDateTimeOffset(e.At),
            Allowed = allowed,
            Reason = EventReason.Of(reason),
            Path = allowed && e.Path is { } path && ReasonCodes.TryParsePath(path, out var decided) ? decided : DecisionPath.None,
            // The controller opened (or kept shut) the door itself; the server sent nothing.
            Outcome = ActuationOutcome.NotSent,
            OccurredOffline = true,
        };
    }

    private sealed record KnownFacts(Dictionary<Guid, Guid> Credentials, HashSet<Guid> People);

    /// <summary>The site's credentials (with their person) and people that the batch names.</summary>
    private static async Task<KnownFacts> KnownFactsAsync(PortierDbContext db, Guid siteId, List<OfflineEvent> events, CancellationToken ct)
    {
        var credentialIds = events.Where(e => e.CredentialId.HasValue).Select(e => e.CredentialId!.Value).Distinct().ToList();
        var personIds = events.Where(e => e.PersonId.HasValue).Select(e => e.PersonId!.Value).Distinct().ToList();
        var credentials = credentialIds.Count == 0 ? [] : await db.Set<Credential>().AsNoTracking()
            .Where(c => c.SiteId == siteId && credentialIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.PersonId, ct);
        var people = personIds.Count == 0 ? [] : (await db.Set<Person>().AsNoTracking()
            .Where(p => p.SiteId == siteId && personIds.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct)).ToHashSet();
        return new KnownFacts(credentials, people);
    }

    /// <summary>
    /// The door events of the batch, with the forced openings the door supervisor finds in them (an
    /// opening with no grant, request-to-exit or latch before it): recorded as alarms that were raised and
    /// cleared while the controller was alone, not published. False when they could not be stored.
    /// </summary>
    private async Task<bool> StoreDoorEventsAsync(PortierDbContext db, PairedController controller, List<OfflineEvent> batch,
        List<ControllerEvent> rows, DoorDirectorySnapshot directory, Instant received, CancellationToken ct)
    {
        if (rows.Count == 0) return true;
        var alarms = ForcedOpenings(batch, controller.SiteId, directory, received).Select(f => new Alarm
        {
            SiteId = controller.SiteId, DoorId = f.DoorId, Kind = AlarmKind.DoorForcedOpen, RaisedAt = f.OpenedAt, ClearedAt = f.ClosedAt,
            Detail = "The door opened without a grant while its controller could not reach the server; reported when it came back.",
        }).ToList();
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.AppendRowsAsync(rows, ct);
            db.AddRange(alarms);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            foreach (var alarm in alarms) LogForcedOffline(logger, controller.Id, alarm.DoorId!.Value, alarm.RaisedAt);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            db.ChangeTracker.Clear();
            // Stored meanwhile by another node: every row or none, as they went in one transaction.
            if (await IsStoredAsync(db, controller.Id, rows[0].Sequence, ct)) return true;
            LogStoreFailed(logger, controller.Id, rows[0].Sequence, e);
            return false;
        }
    }

    private sealed record ForcedOpening(Guid DoorId, Instant OpenedAt, Instant ClosedAt);

    private static List<ForcedOpening> ForcedOpenings(List<OfflineEvent> batch, Guid siteId, DoorDirectorySnapshot directory, Instant received)
    {
        var found = new List<ForcedOpening>();
        foreach (var door in batch.GroupBy(e => e.DoorId))
        {
            if (directory.Door(door.Key) is not { } known || known.SiteId != siteId) continue;
            var hold = Duration.FromSeconds(known.HoldTimeSeconds);
            var watch = DoorWatch.Closed;
            Instant? forcedAt = null;
            foreach (var e in door)
            {
                var at = Instant.FromDateTimeOffset(e.At);
                if (e.Type == OfflineEventType.Access)
                {
                    if (e.Allowed == true) watch = DoorSupervisor.Unlocked(watch, at, hold);
                    continue;
                }
                if (e.Door == DoorPosition.Open)
                {
                    IReadOnlyList<AlarmChange> changes;
                    (watch, changes) = DoorSupervisor.Opened(watch, at, e.RequestToExit == true);
                    if (changes.Any(c => c is { Alarm: DoorAlarm.ForcedOpen, Raised: true })) forcedAt = at;
                }
                else if (e.Door == DoorPosition.Closed)
                {
                    (watch, _) = DoorSupervisor.Closed(watch, at);
                    if (forcedAt is { } opened) found.Add(new ForcedOpening(door.Key, opened, at));
                    forcedAt = null;
                }
            }
            // Still open at the last event the controller sent: the alarm is over as far as anyone can act on it now.
            if (forcedAt is { } stillOpen) found.Add(new ForcedOpening(door.Key, stillOpen, received));
        }
        return found;
    }

    private static Task<bool> IsStoredAsync(PortierDbContext db, Guid deviceId, long sequence, CancellationToken ct) =>
        db.Set<ControllerEvent>().AsNoTracking().AnyAsync(e => e.DeviceId == deviceId && e.Sequence == sequence, ct);

    /// <summary>The console's counters: events uploaded, the latest offline decision, and what the controller dropped.</summary>
    private static async Task CountAsync(PortierDbContext db, Guid deviceId, int stored, Instant? decidedAt, long? dropped, CancellationToken ct)
    {
        var device = db.Set<Device>().Where(d => d.Id == deviceId);
        if (stored > 0)
            await device.ExecuteUpdateAsync(s => s.SetProperty(d => d.OfflineEventsUploaded, d => d.OfflineEventsUploaded + stored), ct);
        if (decidedAt is { } at)
            await device.Where(d => d.LastOfflineDecisionAt == null || d.LastOfflineDecisionAt < at)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LastOfflineDecisionAt, at), ct);
        if (dropped is { } total and > 0)
            await device.Where(d => d.OfflineEventsDropped < total).ExecuteUpdateAsync(s => s.SetProperty(d => d.OfflineEventsDropped, total), ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused events from device {DeviceId}: unknown or not paired")]
    private static partial void LogUnknownDevice(ILogger logger, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId}'s event {Sequence} names door {DoorId}, which is not at its site; kept but not recorded")]
    private static partial void LogForeignDoor(ILogger logger, Guid deviceId, long sequence, Guid doorId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store device {DeviceId}'s event {Sequence}; it is not acknowledged")]
    private static partial void LogStoreFailed(ILogger logger, Guid deviceId, long sequence, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} uploaded events: {Stored} stored, {Repeated} already stored, {Failed} failed")]
    private static partial void LogStored(ILogger logger, Guid deviceId, int stored, int repeated, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Door {DoorId} was forced open at {At} while device {DeviceId} was offline; recorded, not raised")]
    private static partial void LogForcedOffline(ILogger logger, Guid deviceId, Guid doorId, Instant at);
}
