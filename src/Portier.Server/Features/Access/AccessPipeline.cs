using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Guessing;
using Portier.Server.Features.Telemetry;
using Portier.Server.Features.TwoPerson;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Access;

/// <summary>
/// The one way through a door. Every source (reader scans, gate validation, the member app, an
/// administrator's override, the door's schedule) runs the same five steps, in this order:
/// <list type="number">
/// <item><see cref="LoadAsync">load</see> the policy snapshot and the live facts, after the guessing
/// limits (<see cref="GuessingLimiter"/>) let a presented credential through;</item>
/// <item><see cref="Decide">decide</see>, purely, in <c>Portier.Core</c>;</item>
/// <item><see cref="ReserveAsync">reserve</see> what a grant consumes (<see cref="IAttemptReservation"/>), releasing it if a later step fails;</item>
/// <item><see cref="RecordAsync">record</see> the attempt durably (one group commit, with the door's command);</item>
/// <item><see cref="ActuateAsync">actuate</see>: command the controller and record what the door did.</item>
/// </list>
/// A failure while loading, deciding or reserving denies with <c>internal_error</c> (fail closed);
/// nothing grants by default. Explain (<see cref="ExplainAsync"/>) loads and decides the same way.
/// </summary>
public sealed partial class AccessPipeline(
    DatabaseOnFirstUse db,
    PolicySnapshotStore policy,
    DoorDirectory doors,
    PinHasher pins,
    GuessingLimiter guessing,
    IEnumerable<IAttemptReservation> reservations,
    TwoPersonWaits twoPerson,
    AccessEventWriter events,
    DeviceCommands commands,
    DoorSupervision supervision,
    TimeProvider clock,
    ILogger<AccessPipeline> logger)
{
    private readonly IAttemptReservation[] _reservations = [.. reservations];

    /// <summary>Decides, records and actuates one attempt; null when the door does not exist.</summary>
    public async Task<AttemptResult?> RunAsync(AccessAttempt attempt, CancellationToken ct)
    {
        var directory = await doors.GetAsync(ct);
        var door = directory.Door(attempt.DoorId);
        if (door is null) return null;
        var at = clock.GetCurrentInstant();

        AttemptContext? context = null;
        Decision decision;
        var reserved = 0;
        using (PortierTelemetry.StartDecide(MethodOf(attempt.Source), door.Id))
        {
            try
            {
                context = await LoadAsync(attempt, door, at, guarded: true, ct);
                // At a two-person door, from reading who waits to taking that wait or starting one, attempts take turns.
                await using var turn = await twoPerson.TakeTurnAsync(context, ct);
                context = turn.Attempt;
                decision = Decide(context);
                (decision, reserved) = await ReserveAsync(context, decision, ct);
                await turn.SettleAsync(decision, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailedClosed(logger, door.Id, attempt.Source, e);
                decision = Decision.Deny(ReasonCode.InternalError);
            }
            PortierMetrics.RecordDecision(MethodOf(attempt.Source), decision.Allowed, decision.Reason.ToCode(), decision.Path.ToCode());
        }

        var deviceId = ControllerOf(attempt, context);
        var command = PlanCommand(attempt, door, deviceId is { } id ? directory.Controller(id)?.CommandDoor(door.Id) : null, deviceId, decision);
        AccessEvent recorded;
        try
        {
            recorded = await RecordAsync(attempt, door, at, context, decision, command, ct);
        }
        catch
        {
            // Without its durable record a grant must not open the door: give back what it took.
            if (context is not null) await ReleaseAsync(context, reserved, CancellationToken.None);
            throw;
        }

        // The attempt is on record: whatever the caller does now, the door is told and its outcome recorded.
        var outcome = await ActuateAsync(recorded, attempt, door, decision, command, CancellationToken.None);
        return new AttemptResult(recorded, decision, outcome, context?.Credential?.Id) { RetryAt = context?.Guard.RetryAt };
    }

    /// <summary>The same load and decide as <see cref="RunAsync"/>, with every check; nothing is reserved, recorded or sent.</summary>
    public async Task<DecisionExplanation> ExplainAsync(AccessAttempt attempt, Door door, Instant at, CancellationToken ct)
    {
        var context = await twoPerson.WithWaitingAsync(await LoadAsync(attempt, door, at, guarded: false, ct), ct);
        return Refused(context) is { } refused
            ? new DecisionExplanation(refused, [new CheckResult(DecisionCheck.Credential, CheckOutcome.Failed, refused.Reason, refused.Reason.ToCode())])
            : DecisionEngine.Explain(context.Snapshot, context.Request, context.Facts.Live);
    }

    /// <summary>
    /// Step 1: the snapshot, the credential's lookup key and the live facts at the door. When
    /// <paramref name="guarded"/> (a real attempt, not an explanation), a presented credential first
    /// passes the guessing limits: a backed-off reader, site or PIN refuses it before it is looked up,
    /// and one that matches nothing (the engine's <c>invalid_credential</c>) is counted.
    /// </summary>
    private async Task<AttemptContext> LoadAsync(AccessAttempt attempt, Door door, Instant at, bool guarded, CancellationToken ct)
    {
        var key = attempt.CredentialKey ?? (attempt.CredentialKind is { } kind && attempt.Refusal is null
            ? CredentialLookup.KeyFor(pins, door.SiteId, kind, attempt.PresentedValue ?? "")
            : null);
        var snapshot = await policy.GetAsync(ct);
        // A credential its source already verified or refused (a signed QR pass) cannot be guessed: not counted, not held back.
        var guard = guarded && attempt is { CredentialKind: { } presented, CredentialKey: null, Refusal: null }
            ? await guessing.AdmitAsync(door, presented, attempt.PresentedValue, at, () => key is null || snapshot.FindCredential(door.Id, presented, key) is null, ct)
            : GuessVerdict.Admitted;
        if (guard.Throttled) key = null;
        var facts = await LiveFactsReader.ReadAsync(db, snapshot, doors, door, guard.Throttled ? null : attempt.CredentialKind, key, ct, attempt.PersonId);
        // A gate that asks, or a controller whose reader just sent the scan, is online by the fact of asking.
        if (attempt.Source is AttemptSource.Gate or AttemptSource.Reader) facts = facts with { Live = facts.Live with { DeviceLastSeen = at } };
        // The schedule of a first-to-arrive door opens it only after today's first arrival of its group.
        if (attempt.Source == AttemptSource.Schedule && snapshot.FirstArrivalAt(door.Id) is not null)
            facts = facts with { Live = facts.Live with { FirstArrival = (await FirstArrivalQuery.TodayAsync(db.Context, snapshot, door.Id, door.SiteId, at, ct))?.ToCore() } };
        return new AttemptContext(attempt, door, at, snapshot, key, facts) { Guard = guard };
    }

    /// <summary>Step 2: the engine's decision, or the refusal of a credential that could not even be looked up.</summary>
    private static Decision Decide(AttemptContext context) =>
        Refused(context) ?? DecisionEngine.Decide(context.Snapshot, context.Request, context.Facts.Live);

    private static Decision? Refused(AttemptContext context) =>
        context.Guard.Throttled ? Decision.Deny(ReasonCode.TooManyAttempts)
        : context.Attempt.Refusal is { } refusal ? Decision.Deny(refusal)
        : context.Attempt.CredentialKind is not null && context.CredentialKey is null ? Decision.Deny(ReasonCode.InvalidCredential)
        : null;

    /// <summary>Step 3: every reservation in turn; the first that cannot be had denies, and those taken before it are released.</summary>
    private async Task<(Decision, int Reserved)> ReserveAsync(AttemptContext context, Decision decision, CancellationToken ct)
    {
        if (!decision.Allowed) return (decision, 0);
        for (var i = 0; i < _reservations.Length; i++)
        {
            if (await _reservations[i].TryReserveAsync(context, ct) is { } lost)
            {
                await ReleaseAsync(context, i, ct);
                // Lost to a racing attempt of the same person: the refusal is the zone's anti-passback's.
                var passback = lost == ReasonCode.PassbackViolation ? PassbackCheck.RefusedEntry(context.Snapshot.PassbackAt(context.Door.Id).Mode) : PassbackViolation.None;
                return (Decision.Deny(lost) with { Passback = passback }, 0);
            }
        }
        return (decision, _reservations.Length);
    }

    private async Task ReleaseAsync(AttemptContext context, int reserved, CancellationToken ct)
    {
        for (var i = reserved - 1; i >= 0; i--)
        {
            try
            {
                await _reservations[i].ReleaseAsync(context, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReleaseFailed(logger, context.Door.Id, _reservations[i].GetType().Name, e);
            }
        }
    }

    /// <summary>
    /// Step 4: the attempt, durably. The door's command is stored with it, an unlimited credential's
    /// use counted with it, and a reader's scan remembered with it (so a repeat is answered, not
    /// decided again): one group commit before the door hears anything.
    /// </summary>
    private async Task<AccessEvent> RecordAsync(
        AccessAttempt attempt, Door door, Instant at, AttemptContext? context, Decision decision, DeviceCommand? command, CancellationToken ct)
    {
        var credential = context?.Credential;
        var recorded = new AccessEvent
        {
            SiteId = door.SiteId,
            DoorId = door.Id,
            ZoneId = door.ZoneId,
            PersonId = credential?.PersonId ?? attempt.PersonId,
            CredentialId = credential?.Id,
            CredentialKind = attempt.CredentialKind,
            PresentedValue = attempt.CredentialKind is CredentialKind.Card or CredentialKind.Barcode ? attempt.PresentedValue : null,
            DeviceId = attempt.Source == AttemptSource.Gate ? null : ControllerOf(attempt, context),
            ReaderId = attempt.ReaderId,
            AdminId = attempt.AdminId,
            Method = attempt.Method,
            At = at,
            Allowed = decision.Allowed,
            Reason = EventReason.Of(decision.Reason),
            Path = decision.Path,
            Outcome = decision.Allowed && ActuatedBy(attempt.Source) ? ActuationOutcome.Pending : ActuationOutcome.NotSent,
            Passback = decision.Passback,
            CompanionPersonId = decision.Companion,
        };
        IEventCompanion[] companions =
        [
            .. command is null ? [] : new IEventCompanion[] { new StoreCommand(command) },
            .. decision.Allowed && credential is { MaxUses: null } ? new IEventCompanion[] { new CountCredentialUse(credential.Id) } : [],
            .. attempt is { ScannedBy: { } device, ScanId: { } scanId }
                ? new IEventCompanion[] { new RememberScan(new DeviceScan { DeviceId = device, ScanId = scanId, At = at, EventId = recorded.Id, CommandId = command?.Id }) }
                : [],
        ];
        await events.AppendAsync(recorded, companions, ct);
        return recorded;
    }

    /// <summary>
    /// The controller the attempt's command goes to: the one whose reader sent the scan (it drives the door that
    /// reader serves), else the door's controller (<see cref="DoorDirectorySnapshot.ControllerOf"/>).
    /// </summary>
    private static Guid? ControllerOf(AccessAttempt attempt, AttemptContext? context) =>
        context is null ? null : attempt.ScannedBy ?? context.Facts.DeviceId;

    /// <summary>Sources whose grant is followed by an outcome row: the server commands the door (or, for the schedule, its latch).</summary>
    private static bool ActuatedBy(AttemptSource source) => source is not AttemptSource.Gate;

    /// <summary>
    /// The command the attempt sends, when there is a controller to send it to: a grant's unlock, or a
    /// reader's deny feedback (only a reader waits for an answer). A gate opens itself and the schedule's
    /// latch is commanded by the door latch scheduler.
    /// </summary>
    private DeviceCommand? PlanCommand(AccessAttempt attempt, Door door, Guid? commandDoor, Guid? deviceId, Decision decision) => (deviceId, attempt.Source) switch
    {
        (null, _) or (_, AttemptSource.Gate or AttemptSource.Schedule) => null,
        ({ } device, _) when decision.Allowed => decision.DoorHeldOpen ? null
            : commands.Prepare(device, DueBy(attempt, CommandRequest.Unlock(door.HoldTimeSeconds, attempt.ScanId) with { DoorId = commandDoor })),
        ({ } device, AttemptSource.Reader) => commands.Prepare(device, DueBy(attempt, CommandRequest.Deny(decision.Reason, attempt.ScanId) with { DoorId = commandDoor })),
        _ => null,
    };

    /// <summary>The command's deadline is the attempt's own when that comes first: a scan that waited for the database keeps its reader's deadline.</summary>
    private CommandRequest DueBy(AccessAttempt attempt, CommandRequest request)
    {
        if (attempt.AnswerBy is not { } answerBy) return request;
        var left = (answerBy - clock.GetCurrentInstant()).ToTimeSpan();
        return left < (request.Timeout ?? CommandRequest.DefaultTimeout) ? request with { Timeout = left } : request;
    }

    /// <summary>Step 5: the command goes out, and a grant's outcome is recorded as a second row.</summary>
    private async Task<ActuationOutcome> ActuateAsync(
        AccessEvent attempt, AccessAttempt request, Door door, Decision decision, DeviceCommand? command, CancellationToken ct)
    {
        if (!decision.Allowed)
        {
            // A denial has no outcome row: the deny command's own record takes its ack or time-out.
            if (command is not null) await (await commands.PublishStoredAsync(command, settledByCaller: false, ct)).Outcome.WaitAsync(ct);
            return ActuationOutcome.NotSent;
        }
        if (!ActuatedBy(request.Source)) return ActuationOutcome.NotSent;
        if (request.Source == AttemptSource.Schedule) return ActuationOutcome.Pending;
        // Before the command goes out, so the door opening right after is not taken for forced.
        supervision.NoteUnlockGranted(door.Id, attempt.At, Duration.FromSeconds(door.HoldTimeSeconds));
        if (decision.DoorHeldOpen || command is null)
        {
            var outcome = decision.DoorHeldOpen ? ActuationOutcome.HeldOpen : ActuationOutcome.NotSent;
            await RecordOutcomeAsync(attempt, outcome, null, [], ct);
            return outcome;
        }
        var sent = await (await commands.PublishStoredAsync(command, settledByCaller: true, ct)).Outcome.WaitAsync(ct);
        var actuation = ToOutcome(sent.Status);
        await RecordOutcomeAsync(attempt, actuation, sent.CommandId, [SettleCommand.From(sent)], ct);
        return actuation;
    }

    /// <summary>What the door did after a granted attempt, as the row that completes it.</summary>
    public Task RecordOutcomeAsync(AccessEvent attempt, ActuationOutcome outcome, Guid? commandId, IReadOnlyList<IEventCompanion> companions, CancellationToken ct) =>
        events.AppendAsync(OutcomeRow(attempt, outcome, commandId, clock.GetCurrentInstant()), companions, ct);

    /// <summary>The row that completes a granted attempt with what the door did (or what became of its command).</summary>
    public static AccessEvent OutcomeRow(AccessEvent attempt, ActuationOutcome outcome, Guid? commandId, Instant at) => new()
    {
        SiteId = attempt.SiteId,
        DoorId = attempt.DoorId,
        ZoneId = attempt.ZoneId,
        PersonId = attempt.PersonId,
        DeviceId = attempt.DeviceId,
        ReaderId = attempt.ReaderId,
        AdminId = attempt.AdminId,
        Method = attempt.Method,
        At = at,
        Allowed = true,
        Reason = EventReason.Of(outcome),
        Path = attempt.Path,
        Outcome = outcome,
        OutcomeOf = attempt.Id,
        CommandId = commandId,
        CompanionPersonId = attempt.CompanionPersonId,
    };

    private static DecisionMethod MethodOf(AttemptSource source) => source switch
    {
        AttemptSource.Reader => DecisionMethod.Scan,
        AttemptSource.Gate => DecisionMethod.Gate,
        AttemptSource.App => DecisionMethod.AppUnlock,
        AttemptSource.AdminOverride => DecisionMethod.AdminOverride,
        AttemptSource.Schedule => DecisionMethod.Scheduled,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    public static ActuationOutcome ToOutcome(CommandStatus status) => status switch
    {
        CommandStatus.Confirmed => ActuationOutcome.ConfirmedUnlocked,
        CommandStatus.NotSent => ActuationOutcome.NotSent,
        CommandStatus.LateAck => ActuationOutcome.LateAck,
        CommandStatus.Pending or CommandStatus.Failed or CommandStatus.TimedOut => ActuationOutcome.TimedOut,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Deciding an attempt ({Source}) at door {DoorId} failed; denied")]
    private static partial void LogFailedClosed(ILogger logger, Guid doorId, AttemptSource source, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Releasing {Reservation} for an attempt at door {DoorId} failed")]
    private static partial void LogReleaseFailed(ILogger logger, Guid doorId, string reservation, Exception exception);
}
