using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>A single sign-on's answer: the console principal and its session's end, or the refusal code.</summary>
public sealed record SsoResult(ClaimsPrincipal? Principal, DateTimeOffset ExpiresAt, string? Refusal)
{
    public static SsoResult Refuse(string code) => new(null, default, code);
}

/// <summary>
/// Turns a provider's validated id token into a console session. The admin is the one whose email the
/// provider has verified; with no such admin, a provider whose role claim maps to Portier roles creates
/// one (single sign-on only, those roles). Every attempt, signed in or refused, is recorded and audited;
/// a callback's state is accepted once.
/// </summary>
public sealed partial class SsoSignIns(PortierDbContext db, IHttpContextAccessor http, SetupCode setup, TimeProvider clock, IServiceProvider services, ILogger<SsoSignIns> logger)
{
    public const string EmailUnverified = "sso_email_unverified";
    public const string NoAdmin = "sso_no_admin";
    public const string AdminDisabled = "sso_admin_disabled";
    public const string Replayed = "sso_replayed";
    public const string TokenRejected = "sso_token_rejected";
    public const string StateInvalid = "sso_state_invalid";
    public const string ProviderError = "sso_provider_error";
    public const string UnknownProvider = "sso_unknown_provider";

    public async Task<SsoResult> CompleteAsync(SsoProvider provider, ClaimsPrincipal external, string? state, CancellationToken ct)
    {
        var subject = external.FindFirstValue("sub");
        var email = external.FindFirstValue("email")?.Trim().ToLowerInvariant();
        var attempt = new Attempt(provider, subject, string.IsNullOrEmpty(email) ? null : email);
        var stateHash = string.IsNullOrEmpty(state) ? null : TokenSecrets.Hash(state);
        if (stateHash is not null && await db.Set<SsoSignIn>().AnyAsync(s => s.StateHash == stateHash, ct))
            return await RefuseAsync(attempt, Replayed, null, ct);
        if (attempt.Email is null || !IsTrue(external.FindFirstValue("email_verified")))
            return await RefuseAsync(attempt, EmailUnverified, null, ct);

        var now = clock.GetCurrentInstant();
        var admin = await db.Set<AdminAccount>().FirstOrDefaultAsync(a => a.Email == attempt.Email, ct);
        var created = false;
        if (admin is null)
        {
            var roles = await MappedRolesAsync(provider, external, ct);
            if (roles.Count == 0 || !provider.Options.CreateAdmins) return await RefuseAsync(attempt, NoAdmin, null, ct);
            admin = new AdminAccount
            {
                Email = attempt.Email,
                Name = (external.FindFirstValue("name") is { Length: > 0 and <= 200 } name ? name : attempt.Email).Trim(),
                RoleIds = roles,
                SsoOnly = true,
                CreatedAt = now,
            };
            db.Add(admin);
            created = true;
        }
        if (admin.Disabled) return await RefuseAsync(attempt, AdminDisabled, null, ct);

        var session = AdminSignIn.AddSession(db, admin.Id, now);
        db.Add(attempt.Record(now, SsoSignIn.SignedIn, null, null, admin.Id, created, stateHash));
        ActAs(attempt);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (stateHash is not null)
        {
            // The same callback raced this one and won: this one is the replay.
            if (!await StateUsedAsync(stateHash, ct)) throw;
            return await RefuseAsync(attempt, Replayed, null, ct);
        }
        // A console admin exists now: the first-run setup closes, as after the setup page.
        if (created) setup.Burn();
        LogSignedIn(logger, provider.Name, admin.Email, created);
        var principal = await ConsoleAuthentication.PrincipalForAsync(services, session.Token, ct);
        return principal is null ? SsoResult.Refuse(AdminDisabled) : new SsoResult(principal, session.ExpiresAt, null);
    }

    /// <summary>A sign-in that failed before a token was accepted (bad token, lost state, provider error).</summary>
    public Task<SsoResult> FailAsync(SsoProvider provider, string code, string? detail, CancellationToken ct) =>
        RefuseAsync(new Attempt(provider, null, null), code, detail, ct);

    private async Task<SsoResult> RefuseAsync(Attempt attempt, string code, string? detail, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        db.Add(attempt.Record(clock.GetCurrentInstant(), SsoSignIn.Refused, code, detail, null, false, null));
        ActAs(attempt);
        await db.SaveChangesAsync(ct);
        LogRefused(logger, attempt.Provider.Name, code, detail ?? "", attempt.Email ?? attempt.Subject ?? "");
        return SsoResult.Refuse(code);
    }

    private async Task<bool> StateUsedAsync(string stateHash, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.Set<SsoSignIn>().AnyAsync(s => s.StateHash == stateHash, ct);
    }

    /// <summary>The Portier roles the provider's role claim maps to; names the database does not know give nothing.</summary>
    private async Task<List<Guid>> MappedRolesAsync(SsoProvider provider, ClaimsPrincipal external, CancellationToken ct)
    {
        if (provider.Options.RoleClaim is not { Length: > 0 } claim) return [];
        var names = external.FindAll(claim)
            .Select(c => provider.Options.RoleMap.GetValueOrDefault(c.Value))
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0) return [];
        return await db.Set<Role>().Where(r => names.Contains(r.Name)).Select(r => r.Id).ToListAsync(ct);
    }

    /// <summary>
    /// The callback comes with no signed-in user; the audit trail records the provider and the identity it
    /// asserted as the actor, for the sign-in and for an admin it creates.
    /// </summary>
    private void ActAs(Attempt attempt)
    {
        if (http.HttpContext is not { } context) return;
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, attempt.Actor)], "sso"));
    }

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private sealed record Attempt(SsoProvider Provider, string? Subject, string? Email)
    {
        public string Actor => $"sso:{Provider.Name}:{Email ?? Subject ?? "unknown"}";

        public SsoSignIn Record(NodaTime.Instant at, string outcome, string? reason, string? detail, Guid? adminId, bool created, string? stateHash) => new()
        {
            At = at,
            Provider = Provider.Name,
            Subject = Subject is { Length: > 255 } ? Subject[..255] : Subject,
            Email = Email is { Length: > 320 } ? null : Email,
            Outcome = outcome,
            Reason = reason,
            Detail = detail,
            AdminId = adminId,
            AdminCreated = created,
            StateHash = stateHash,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Single sign-on through {Provider} opened a console session for {Email} (admin created: {Created})")]
    private static partial void LogSignedIn(ILogger logger, string provider, string email, bool created);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Single sign-on through {Provider} refused: {Code} {Detail} ({Who})")]
    private static partial void LogRefused(ILogger logger, string provider, string code, string detail, string who);
}
