using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Occupancy;
using Portier.Server.Features.Telemetry;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Unlocks;

/// <summary>
/// Every way of opening a door runs through here: decide, count the use, take (or free) a place in
/// the door's zone, write the attempt durably, tell door supervision the opening is expected, command
/// the controller, and write what the door did. Anything that fails before the decision is made
/// denies (fail closed) and is logged; nothing grants by default.
/// </summary>
public sealed partial class DoorUnlocks(
    PortierDbContext db,
    PolicySnapshotStore policy,
    DoorDirectory doors,
    PinHasher pins,
    AccessEventWriter events,
    DeviceCommands commands,
    OccupancyService occupancy,
    DoorSupervision supervision,
    TimeProvider clock,
    ILogger<DoorUnlocks> logger)
{
    public const string FailedClosedReason = "internal_error";
    public const string AdminOverridePath = "admin_override";

    /// <summary>Decides and acts for one attempt; null when the door does not exist.</summary>
    public async Task<UnlockResult?> UnlockAsync(UnlockAttempt attempt, CancellationToken ct)
    {
        var door = (await doors.GetAsync(ct)).Door(attempt.DoorId);
        if (door is null) return null;
        var at = clock.GetCurrentInstant();
        Verdict decision; MatchedCredential? credential; Guid? deviceId;
        using (PortierTelemetry.StartDecide(attempt.Method, door.Id)) // telemetry: the decision's span and counter
        {
            (decision, credential, deviceId) = await DecideAsync(attempt, door, at, ct);
            PortierMetrics.RecordDecision(attempt.Method, decision.Allowed, decision.Reason, decision.Path);
        }
        var attemptEvent = new AccessEvent
        {
            SiteId = door.SiteId,
            DoorId = door.Id,
            ZoneId = door.ZoneId,
            PersonId = credential?.PersonId ?? attempt.PersonId,
            CredentialId = credential?.Id,
            CredentialKind = attempt.CredentialKind,
            PresentedValue = attempt.CredentialKind is CredentialKind.Card or CredentialKind.Barcode ? attempt.PresentedValue : null,
            DeviceId = deviceId,
            AdminId = attempt.AdminId,
            Method = attempt.Method,
            At = at,
            Allowed = decision.Allowed,
            Reason = decision.Reason,
            Path = decision.Path,
            Outcome = decision.Allowed ? ActuationOutcome.Pending : ActuationOutcome.NotSent,
        };
        // The door's command is stored with the attempt, and the unlimited card's use counted with
        // it: one group commit before the door hears anything.
        var command = PlanCommand(attempt, door, deviceId, decision);
        await events.AppendAsync(attemptEvent, AttemptCompanions(command, decision, credential), ct);

        // Before the command goes out, so the door opening right after is not taken for forced.
        if (decision.Allowed) supervision.NoteUnlockGranted(door.Id, at, Duration.FromSeconds(door.HoldTimeSeconds));
        // The attempt is on record: whatever the caller does now, its outcome is recorded too.
        var outcome = await ActuateAsync(deviceId, decision, command, CancellationToken.None);
        if (decision.Allowed)
        {
            await events.AppendAsync(new AccessEvent
            {
                SiteId = door.SiteId,
                DoorId = door.Id,
                ZoneId = door.ZoneId,
                PersonId = attemptEvent.PersonId,
                DeviceId = deviceId,
                Method = attempt.Method,
                At = clock.GetCurrentInstant(),
                Allowed = true,
                Reason = ToOutcomeReason(outcome.Outcome),
                Path = decision.Path,
                Outcome = outcome.Outcome,
                OutcomeOf = attemptEvent.Id,
                CommandId = outcome.CommandId,
            }, outcome.Settle is { } settle ? [settle] : [], CancellationToken.None);
        }
        return new UnlockResult(attemptEvent.Id, decision.Allowed, decision.Reason, decision.Path, outcome.Outcome);
    }

    private sealed record Verdict(bool Allowed, string Reason, string Path, bool HeldOpen);

    private async Task<(Verdict, MatchedCredential?, Guid? DeviceId)> DecideAsync(UnlockAttempt attempt, Door door, NodaTime.Instant at, CancellationToken ct)
    {
        Guid? deviceId = null;
        try
        {
            var key = attempt.CredentialKind is { } kind ? CredentialLookup.KeyFor(pins, door.SiteId, kind, attempt.PresentedValue ?? "") : null;
            var snapshot = await policy.GetAsync(ct);
            var facts = await LiveFactsReader.ReadAsync(db, snapshot, doors, door, attempt.CredentialKind, key, ct);
            deviceId = facts.DeviceId;
            if (attempt.Method == AccessMethod.AdminOverride)
            {
                await occupancy.PassAsync(door, neverRefused: true, ct);
                return (new Verdict(true, ReasonCode.Granted.ToCode(), AdminOverridePath, door.MaintenanceMode == MaintenanceMode.ForceOpen), null, deviceId);
            }
            if (attempt.CredentialKind is not null && key is null)
                return (Denied(ReasonCode.InvalidCredential.ToCode()), null, deviceId);
            var request = key is not null
                ? DecisionRequest.Scan(attempt.CredentialKind!.Value, key, door.Id, at)
                : DecisionRequest.AppUnlock(attempt.PersonId!.Value, door.Id, at, attempt.Location);
            var decision = DecisionEngine.Decide(snapshot, request, facts.Live);
            // Only a limited credential is counted here; an unlimited one counts with the attempt's event.
            if (decision.Allowed && facts.Credential is { MaxUses: not null } used && !await CredentialUses.ConsumeAsync(db, used.Id, ct))
                return (Denied(ReasonCode.MaxUsesReached.ToCode()), used, deviceId);
            // The engine saw a free place; another attempt may have taken it since. Losing that race
            // denies, and the use just counted is given back.
            if (decision.Allowed && !await occupancy.PassAsync(door, neverRefused: false, ct))
            {
                if (facts.Credential is { MaxUses: not null } refunded) await CredentialUses.RefundAsync(db, refunded.Id, ct);
                return (Denied(ReasonCode.CapacityExceeded.ToCode()), facts.Credential, deviceId);
            }
            return (new Verdict(decision.Allowed, decision.Reason.ToCode(), decision.Path.ToCode(), decision.DoorHeldOpen), facts.Credential, deviceId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailedClosed(logger, door.Id, e);
            return (Denied(FailedClosedReason), null, deviceId);
        }
    }

    private static Verdict Denied(string reason) => new(false, reason, DecisionPath.None.ToCode(), false);

    /// <summary>The command's outcome, and for a command stored with the attempt, its record to store with the outcome event.</summary>
    private sealed record Actuation(ActuationOutcome Outcome, Guid? CommandId, SettleCommand? Settle = null);

    /// <summary>
    /// The command the attempt sends, when there is a controller to send it to: a grant's unlock, or a
    /// denied scan's deny feedback (only a reader waits for an answer; an app's denial needs no word to the door).
    /// </summary>
    private DeviceCommand? PlanCommand(UnlockAttempt attempt, Door door, Guid? deviceId, Verdict verdict) => deviceId switch
    {
        null => null,
        { } device when verdict.Allowed => verdict.HeldOpen ? null : commands.Prepare(device, CommandRequest.Unlock(door.HoldTimeSeconds, attempt.ScanId)),
        { } device => attempt.Method == AccessMethod.Scan ? commands.Prepare(device, CommandRequest.Deny(verdict.Reason, attempt.ScanId)) : null,
    };

    private static IEventCompanion[] AttemptCompanions(DeviceCommand? command, Verdict verdict, MatchedCredential? credential) =>
    [
        .. command is null ? [] : new IEventCompanion[] { new StoreCommand(command) },
        .. verdict.Allowed && credential is { MaxUses: null } ? new IEventCompanion[] { new CountCredentialUse(credential.Id) } : [],
    ];

    private async Task<Actuation> ActuateAsync(Guid? deviceId, Verdict verdict, DeviceCommand? command, CancellationToken ct)
    {
        if (verdict.Allowed && verdict.HeldOpen) return new Actuation(ActuationOutcome.HeldOpen, null);
        if (deviceId is null) return new Actuation(ActuationOutcome.NotSent, null);
        if (!verdict.Allowed)
        {
            // A denial has no outcome event: the deny command's own record takes its ack or time-out.
            if (command is not null) await (await commands.PublishStoredAsync(command, settledByCaller: false, ct)).Outcome.WaitAsync(ct);
            return new Actuation(ActuationOutcome.NotSent, null);
        }
        var outcome = await (await commands.PublishStoredAsync(command!, settledByCaller: true, ct)).Outcome.WaitAsync(ct);
        return new Actuation(outcome.Status switch
        {
            CommandStatus.Confirmed => ActuationOutcome.ConfirmedUnlocked,
            CommandStatus.NotSent => ActuationOutcome.NotSent,
            CommandStatus.Pending or CommandStatus.Failed or CommandStatus.TimedOut or CommandStatus.LateAck => ActuationOutcome.TimedOut,
        }, outcome.CommandId, SettleCommand.From(outcome));
    }

    private static string ToOutcomeReason(ActuationOutcome outcome) => outcome switch
    {
        ActuationOutcome.ConfirmedUnlocked => ReasonCode.ConfirmedUnlocked.ToCode(),
        ActuationOutcome.TimedOut => ReasonCode.TimedOut.ToCode(),
        ActuationOutcome.Pending => "pending",
        ActuationOutcome.NotSent => "not_sent",
        ActuationOutcome.HeldOpen => "held_open",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Decision for door {DoorId} failed; denied")]
    private static partial void LogFailedClosed(ILogger logger, Guid doorId, Exception exception);
}
