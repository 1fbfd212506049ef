using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Invites;
using Portier.Core.Model;
using Portier.Server.Features.Access;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Doors;
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

/// <summary>The gate's answer, or how long its keypad stays backed off (the caller answers 429 <c>gate_locked_out</c>).</summary>
public sealed record GateValidation(ValidateResponse? Answer, TimeSpan LockedFor);

/// <summary>
/// Validates at a gate: the QR pass's signature first, then the access pipeline applies the guessing
/// limits, decides, counts the use and the zone place and records the attempt like every other way
/// through a door (a refusal while the gate is backed off included). The first use of a pending
/// invite's credential accepts the invite.
/// </summary>
public sealed class GateValidator(AccessPipeline pipeline, WebhookOutbox outbox, TimeProvider clock)
{
    public async Task<GateValidation> ValidateAsync(PortierDbContext db, Door door, ValidateRequest request, CancellationToken ct)
    {
        var now = Infrastructure.ClockExtensions.GetCurrentInstant(clock);
        var (attempt, detail) = request.Method switch
        {
            CredentialMethod.Pin => (AccessAttempt.Gate(door.Id, CredentialKind.Pin, request.Value.Trim()), null),
            CredentialMethod.Otp => (AccessAttempt.Gate(door.Id, CredentialKind.Otp, request.Value.Trim()), null),
            _ => await QrAttemptAsync(db, door, request.Value, now, ct),
        };
        var result = await pipeline.RunAsync(attempt, ct) ?? throw new InvalidOperationException($"Point of entry {door.Id} is not in the door directory.");
        if (result.Decision.Reason == ReasonCode.TooManyAttempts)
            return new GateValidation(null, result.RetryAt is { } until && until > now ? (until - now).ToTimeSpan() : TimeSpan.FromSeconds(1));
        var invite = result.CredentialId is { } credentialId
            ? await db.Set<InviteCredential>().AsNoTracking().Where(r => r.CredentialId == credentialId)
                .Join(db.Set<Invite>(), r => r.InviteId, i => i.Id, (r, i) => i).FirstOrDefaultAsync(ct)
            : null;
        if (!result.Allowed)
            return Answered(new ValidateResponse(false, result.Decision.Reason.ToCode(), detail, invite?.Reference,
                result.Decision.Reason == ReasonCode.MaxUsesReached ? 0 : null, null));

        if (invite is { Status: InviteStatus.Pending }) await InviteTransitions.AcceptOnFirstUseAsync(db, outbox, invite, now, ct);
        var usesLeft = await UsesLeftAsync(db, result.CredentialId!.Value, ct);
        return Answered(new ValidateResponse(true, ReasonCode.Granted.ToCode(), null, invite?.Reference, usesLeft, door.HoldTimeSeconds));
    }

    /// <summary>A QR pass is verified before it is looked up; a refused pass is still decided, as a denial, and recorded.</summary>
    private static async Task<(AccessAttempt, string?)> QrAttemptAsync(PortierDbContext db, Door door, string value, Instant now, CancellationToken ct)
    {
        var keys = await db.Set<QrSigningKey>().AsNoTracking().Where(k => k.SiteId == door.SiteId && k.RetiredAt == null).ToListAsync(ct);
        var (pass, refusal) = QrPassSigner.Verify(value, keys, door.SiteId, door.Id, now);
        var attempt = AccessAttempt.Gate(door.Id, CredentialKind.Qr, value);
        if (pass is not null) return (attempt with { CredentialKey = pass.Nonce }, null);
        var reason = refusal switch
        {
            QrRefusal.Expired or QrRefusal.NotYetValid => ReasonCode.Expired,
            QrRefusal.DoorNotListed => ReasonCode.EntryPointNotAllowed,
            _ => ReasonCode.InvalidCredential,
        };
        return (attempt with { Refusal = reason }, ToSnake(refusal));
    }

    private static async Task<int?> UsesLeftAsync(PortierDbContext db, Guid credentialId, CancellationToken ct)
    {
        var uses = await db.Set<Credential>().AsNoTracking().Where(c => c.Id == credentialId)
            .Select(c => new { c.MaxUses, c.UseCount }).FirstAsync(ct);
        return uses.MaxUses is { } max ? Math.Max(0, max - uses.UseCount) : null;
    }

    private static GateValidation Answered(ValidateResponse answer) => new(answer, TimeSpan.Zero);

    private static string? ToSnake(QrRefusal refusal) =>
        refusal == QrRefusal.None ? null : System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(refusal.ToString());
}
