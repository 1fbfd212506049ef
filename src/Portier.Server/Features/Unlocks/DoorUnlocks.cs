using Microsoft.EntityFrameworkCore;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Unlocks;

/// <summary>
/// Every way of opening a door runs through here: decide, count the use, write the attempt
/// durably, command the controller, and write what the door did. Anything that fails before the
/// decision is made denies (fail closed) and is logged; nothing grants by default.
/// </summary>
public sealed partial class DoorUnlocks(
    PortierDbContext db,
    PolicySnapshotStore policy,
    PinHasher pins,
    AccessEventWriter events,
    DeviceCommands commands,
    TimeProvider clock,
    ILogger<DoorUnlocks> logger)
{
    public const string FailedClosedReason = "internal_error";
    public const string AdminOverridePath = "admin_override";

    /// <summary>Decides and acts for one attempt; null when the door does not exist.</summary>
    public async Task<UnlockResult?> UnlockAsync(UnlockAttempt attempt, CancellationToken ct)
    {
        var door = await db.Set<Door>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == attempt.DoorId, ct);
        if (door is null) return null;
        var at = clock.GetCurrentInstant();
        var (decision, credential, deviceId) = await DecideAsync(attempt, door, at, ct);
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
        await events.AppendAsync(attemptEvent, ct);

        var outcome = await ActuateAsync(attempt, door, deviceId, decision, ct);
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
            }, ct);
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
            var facts = await LiveFactsReader.ReadAsync(db, door, attempt.CredentialKind, key, ct);
            deviceId = facts.DeviceId;
            if (attempt.Method == AccessMethod.AdminOverride)
                return (new Verdict(true, ReasonCode.Granted.ToCode(), AdminOverridePath, door.MaintenanceMode == MaintenanceMode.ForceOpen), null, deviceId);
            if (attempt.CredentialKind is not null && key is null)
                return (Denied(ReasonCode.InvalidCredential.ToCode()), null, deviceId);
            var request = key is not null
                ? DecisionRequest.Scan(attempt.CredentialKind!.Value, key, door.Id, at)
                : DecisionRequest.AppUnlock(attempt.PersonId!.Value, door.Id, at, attempt.Location);
            var decision = DecisionEngine.Decide(await policy.GetAsync(ct), request, facts.Live);
            if (decision.Allowed && facts.Credential is { } used && !await ConsumeUseAsync(used.Id, ct))
                return (Denied(ReasonCode.MaxUsesReached.ToCode()), used, deviceId);
            return (new Verdict(decision.Allowed, decision.Reason.ToCode(), decision.Path.ToCode(), decision.DoorHeldOpen), facts.Credential, deviceId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailedClosed(logger, door.Id, e);
            return (Denied(FailedClosedReason), null, deviceId);
        }
    }

    private static Verdict Denied(string reason) => new(false, reason, DecisionPath.None.ToCode(), false);

    /// <summary>
    /// Counts a use only when access is granted, with a conditional update so two readers racing
    /// for the last use of a limited credential cannot both win.
    /// </summary>
    private async Task<bool> ConsumeUseAsync(Guid credentialId, CancellationToken ct) =>
        await db.Set<Credential>()
            .Where(c => c.Id == credentialId && (c.MaxUses == null || c.UseCount < c.MaxUses))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UseCount, c => c.UseCount + 1), ct) == 1;

    private sealed record Actuation(ActuationOutcome Outcome, Guid? CommandId);

    private async Task<Actuation> ActuateAsync(UnlockAttempt attempt, Door door, Guid? deviceId, Verdict verdict, CancellationToken ct)
    {
        if (verdict.Allowed && verdict.HeldOpen) return new Actuation(ActuationOutcome.HeldOpen, null);
        if (deviceId is null) return new Actuation(ActuationOutcome.NotSent, null);
        if (!verdict.Allowed)
        {
            // Only a reader waits for an answer; an app's denial needs no word to the door.
            if (attempt.Method == AccessMethod.Scan)
                await commands.SendAndWaitAsync(deviceId.Value, CommandRequest.Deny(verdict.Reason, attempt.ScanId), ct);
            return new Actuation(ActuationOutcome.NotSent, null);
        }
        var outcome = await commands.SendAndWaitAsync(deviceId.Value, CommandRequest.Unlock(door.HoldTimeSeconds, attempt.ScanId), ct);
        return new Actuation(outcome.Status switch
        {
            CommandStatus.Confirmed => ActuationOutcome.ConfirmedUnlocked,
            CommandStatus.NotSent => ActuationOutcome.NotSent,
            CommandStatus.Pending or CommandStatus.Failed or CommandStatus.TimedOut or CommandStatus.LateAck => ActuationOutcome.TimedOut,
        }, outcome.CommandId);
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
