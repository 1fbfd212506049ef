using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Invites;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Occupancy;
using Portier.Server.Features.Telemetry;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Invites;

/// <summary>A PIN, one-time code or QR pass presented at a point of entry.</summary>
public sealed record ValidateRequest(Guid PointOfEntryId, CredentialMethod Method, string Value) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(PointOfEntryId != Guid.Empty, "pointOfEntryId", "Is required.");
        errors.Require(Method is CredentialMethod.Pin or CredentialMethod.Otp or CredentialMethod.Qr, "method", "Must be pin, otp or qr.");
        errors.NotBlank(Value, "value", QrPassSigner.MaxLength);
    }
}

/// <summary>
/// The gate's answer. <c>reason</c> is the engine's reason code; <c>detail</c> says more for a refused
/// QR pass (which check failed). <c>usesLeft</c> is null for unlimited credentials.
/// </summary>
public sealed record ValidateResponse(bool Allowed, string Reason, string? Detail, string? Reference, int? UsesLeft, int? HoldTimeSeconds);

/// <summary>
/// Validates at a gate: QR signature first, then the decision engine (validity, revoked, max uses,
/// allowed points of entry), then one use consumed with a conditional UPDATE so concurrent gates
/// can never pass a credential more than its max uses. Wrong PINs lock the gate's keypad out.
/// </summary>
public sealed class GateValidator(
    PolicySnapshotStore store, DoorDirectory doors, PinHasher pins, AccessEventWriter events, OccupancyService occupancy, WebhookOutbox outbox, TimeProvider clock)
{
    public const int MaxPinFailures = 5;
    public static readonly Duration FailureWindow = Duration.FromMinutes(5);
    public static readonly Duration Lockout = Duration.FromMinutes(15);

    /// <summary>Null when the keypad of this door is locked out (the caller answers 429).</summary>
    public async Task<ValidateResponse?> ValidateAsync(PortierDbContext db, Door door, ValidateRequest request, CancellationToken ct)
    {
        using var decide = PortierTelemetry.StartDecide(DecisionMethod.Gate, door.Id); // telemetry: the gate's decision span
        var now = Infrastructure.ClockExtensions.GetCurrentInstant(clock);
        var numeric = request.Method is CredentialMethod.Pin or CredentialMethod.Otp;
        if (numeric && !await ReserveAttemptAsync(db, door.Id, now, ct)) return null;

        var kind = request.Method switch
        {
            CredentialMethod.Pin => CredentialKind.Pin,
            CredentialMethod.Otp => CredentialKind.Otp,
            _ => CredentialKind.Qr,
        };
        string? key;
        if (kind == CredentialKind.Qr)
        {
            var keys = await db.Set<QrSigningKey>().AsNoTracking().Where(k => k.SiteId == door.SiteId && k.RetiredAt == null).ToListAsync(ct);
            var (pass, refusal) = QrPassSigner.Verify(request.Value, keys, door.SiteId, door.Id, now);
            if (pass is null)
            {
                var reason = refusal switch
                {
                    QrRefusal.Expired or QrRefusal.NotYetValid => ReasonCode.Expired,
                    QrRefusal.DoorNotListed => ReasonCode.EntryPointNotAllowed,
                    _ => ReasonCode.InvalidCredential,
                };
                return await RecordAsync(door, null, kind, now, new ValidateResponse(false, reason.ToCode(), ToSnake(refusal), null, null, null), ct);
            }
            key = pass.Nonce;
        }
        else
        {
            key = CredentialLookup.KeyFor(pins, door.SiteId, kind, request.Value.Trim());
        }

        var decision = key is null
            ? new Decision(false, ReasonCode.InvalidCredential, DecisionPath.None)
            : await DecideAsync(db, door, kind, key, now, ct);
        var credential = key is null ? null : await db.Set<Credential>().AsNoTracking()
            .Where(c => c.SiteId == door.SiteId && c.Kind == kind && (c.ActiveKey == key || c.Value == key))
            .OrderBy(c => c.Revoked).FirstOrDefaultAsync(ct);
        var invite = credential is null ? null : await db.Set<InviteCredential>().AsNoTracking().Where(r => r.CredentialId == credential.Id)
            .Join(db.Set<Invite>(), r => r.InviteId, i => i.Id, (r, i) => i).FirstOrDefaultAsync(ct);

        if (numeric)
        {
            if (decision.Reason == ReasonCode.InvalidCredential) await LockIfExhaustedAsync(db, door.Id, now, ct);
            else await ReleaseAttemptAsync(db, door.Id, ct);
        }
        if (!decision.Allowed || credential is null)
        {
            var reason = decision.Allowed ? ReasonCode.InvalidCredential : decision.Reason;
            return await RecordAsync(door, credential, kind, now, new ValidateResponse(false, reason.ToCode(), null, invite?.Reference, null, null), ct);
        }

        // One use, atomically: of N concurrent presentations of a credential with N uses left, exactly N pass.
        var consumed = await db.Set<Credential>()
            .Where(c => c.Id == credential.Id && !c.Revoked && (c.MaxUses == null || c.UseCount < c.MaxUses))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UseCount, c => c.UseCount + 1), ct);
        if (consumed == 0)
            return await RecordAsync(door, credential, kind, now,
                new ValidateResponse(false, ReasonCode.MaxUsesReached.ToCode(), null, invite?.Reference, 0, null), ct);
        // The engine saw a free place in the gate's zone; a racing entry may have taken it since.
        if (!await occupancy.PassAsync(door, neverRefused: false, ct))
        {
            await CredentialUses.RefundAsync(db, credential.Id, ct);
            return await RecordAsync(door, credential, kind, now,
                new ValidateResponse(false, ReasonCode.CapacityExceeded.ToCode(), null, invite?.Reference, null, null), ct);
        }
        if (invite is { Status: InviteStatus.Pending }) await AcceptOnFirstUseAsync(db, invite, now, ct);
        var used = await db.Set<Credential>().Where(c => c.Id == credential.Id).Select(c => c.UseCount).FirstAsync(ct);
        var usesLeft = credential.MaxUses is { } max ? max - used : (int?)null;
        return await RecordAsync(door, credential, kind, now,
            new ValidateResponse(true, ReasonCode.Granted.ToCode(), null, invite?.Reference, usesLeft is null ? null : Math.Max(0, usesLeft.Value), door.HoldTimeSeconds), ct);
    }

    /// <summary>The first use at a gate accepts a pending invite; the status change and its <c>invite.accepted</c> webhook commit together.</summary>
    private async Task AcceptOnFirstUseAsync(PortierDbContext db, Invite invite, Instant now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var accepted = await db.Set<Invite>().Where(i => i.Id == invite.Id && i.Status == InviteStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, InviteStatus.Accepted).SetProperty(i => i.UpdatedAt, now), ct);
        if (accepted == 0) return;
        invite.MoveTo(InviteStatus.Accepted, now); // the untracked copy read above, for the webhook's data
        await outbox.AddAsync(db, [InviteWebhooks.Moved(invite, now)!], ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private async Task<Decision> DecideAsync(PortierDbContext db, Door door, CredentialKind kind, string key, Instant now, CancellationToken ct)
    {
        var snapshot = await store.GetAsync(ct);
        var facts = await LiveFactsReader.ReadAsync(db, snapshot, doors, door, kind, key, ct);
        // The gate asking is the controller: it is online by the fact of asking.
        return DecisionEngine.Decide(snapshot, DecisionRequest.Scan(kind, key, door.Id, now), facts.Live with { DeviceLastSeen = now });
    }

    private async Task<ValidateResponse> RecordAsync(Door door, Credential? credential, CredentialKind kind, Instant now, ValidateResponse response, CancellationToken ct)
    {
        PortierMetrics.RecordDecision(DecisionMethod.Gate, response.Allowed, response.Reason,
            response.Allowed ? DecisionPath.Invite.ToCode() : DecisionPath.None.ToCode()); // telemetry
        await events.AppendAsync(new AccessEvent
        {
            SiteId = door.SiteId, DoorId = door.Id, ZoneId = door.ZoneId, PersonId = credential?.PersonId, CredentialId = credential?.Id,
            CredentialKind = kind, Method = AccessMethod.Scan, At = now, Allowed = response.Allowed, Reason = response.Reason,
            Path = response.Allowed ? DecisionPath.Invite.ToCode() : DecisionPath.None.ToCode(),
            Outcome = ActuationOutcome.NotSent,
        }, ct);
        return response;
    }

    /// <summary>
    /// Claims one of the keypad's tries in the current window before the code is even looked at,
    /// with conditional updates, so concurrent guesses cannot slip past the bound: at most
    /// <see cref="MaxPinFailures"/> wrong codes are ever checked per window. False = locked out.
    /// </summary>
    private static async Task<bool> ReserveAttemptAsync(PortierDbContext db, Guid doorId, Instant now, CancellationToken ct)
    {
        var lockouts = db.Set<GatePinLockout>();
        if (!await lockouts.AnyAsync(l => l.DoorId == doorId, ct))
        {
            db.Add(new GatePinLockout { DoorId = doorId, WindowStart = now });
            await db.TrySaveUniqueAsync(ct);
        }
        var windowStart = now - FailureWindow;
        await lockouts.Where(l => l.DoorId == doorId && l.WindowStart < windowStart && (l.LockedUntil == null || l.LockedUntil <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.WindowStart, now).SetProperty(l => l.Failures, 0), ct);
        return await lockouts.Where(l => l.DoorId == doorId && l.Failures < MaxPinFailures && (l.LockedUntil == null || l.LockedUntil <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, l => l.Failures + 1), ct) == 1;
    }

    /// <summary>A right code (or one refused for another reason) gives its try back.</summary>
    private static Task<int> ReleaseAttemptAsync(PortierDbContext db, Guid doorId, CancellationToken ct) =>
        db.Set<GatePinLockout>().Where(l => l.DoorId == doorId && l.Failures > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, l => l.Failures - 1), ct);

    /// <summary>The wrong code keeps its try; the try that fills the window locks the keypad for <see cref="Lockout"/>.</summary>
    private static Task<int> LockIfExhaustedAsync(PortierDbContext db, Guid doorId, Instant now, CancellationToken ct) =>
        db.Set<GatePinLockout>().Where(l => l.DoorId == doorId && l.Failures >= MaxPinFailures)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.LockedUntil, now + Lockout).SetProperty(l => l.Failures, 0).SetProperty(l => l.WindowStart, now), ct);

    private static string? ToSnake(QrRefusal refusal) =>
        refusal == QrRefusal.None ? null : System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(refusal.ToString());
}
