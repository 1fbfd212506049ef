using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>
/// A sign-in's answer: a session, a wrong email or password, a locked account and when to try again,
/// or a right password of an admin who signs in with single sign-on only.
/// </summary>
public sealed record AdminSignInResult(LoginResponse? Session, TimeSpan? RetryAfter, bool SsoOnly = false)
{
    public static readonly AdminSignInResult Invalid = new(null, null);
    public static readonly AdminSignInResult SsoOnlyRefused = new(null, null, SsoOnly: true);
}

/// <summary>
/// Checks an admin's email and password and opens a session token (its hash stored). The API login
/// and the console sign-in both use it. Every attempt costs one password verification: an unknown
/// email, a disabled account or one without a password is checked against a dummy hash, so the
/// answer's timing does not tell which emails belong to admins.
/// </summary>
public sealed class AdminSignIn(PortierDbContext db, IPasswordHasher<AdminAccount> hasher, SignInLockout lockout, TimeProvider clock)
{
    public static readonly Duration SessionLifetime = Duration.FromHours(12);

    private static readonly AdminAccount Nobody = new() { Email = "", Name = "" };
    private static readonly Lazy<string> DummyHash = new(() =>
        new PasswordHasher<AdminAccount>().HashPassword(Nobody, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));

    public async Task<AdminSignInResult> StartSessionAsync(LoginRequest request, CancellationToken ct)
    {
        var email = SignInLockout.Normalize(request.Email);
        var key = SignInLockout.AdminKey(email);
        if (await lockout.LockedForAsync(key, ct) is { } wait) return new AdminSignInResult(null, wait);

        var admin = await db.Set<AdminAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Email == email, ct);
        var usable = admin is { PasswordHash: not null, Disabled: false };
        var verified = hasher.VerifyHashedPassword(admin ?? Nobody, usable ? admin!.PasswordHash! : DummyHash.Value, request.Password);
        if (!usable || verified == PasswordVerificationResult.Failed)
        {
            await lockout.FailedAsync(key, ct);
            return AdminSignInResult.Invalid;
        }
        await lockout.SucceededAsync(key, ct);
        // Checked only after the password: a wrong one answers like any other, so the refusal tells nothing to a guesser.
        if (admin!.SsoOnly) return AdminSignInResult.SsoOnlyRefused;

        var session = AddSession(db, admin.Id, clock.GetCurrentInstant());
        await db.SaveChangesAsync(ct);
        return new AdminSignInResult(session, null);
    }

    /// <summary>Stages a new session of the admin (saved by the caller) and answers its clear token, shown once.</summary>
    public static LoginResponse AddSession(PortierDbContext db, Guid adminId, Instant now)
    {
        var token = TokenSecrets.NewToken();
        var session = new ApiToken
        {
            Name = "session",
            TokenHash = TokenSecrets.Hash(token),
            Prefix = TokenSecrets.DisplayPrefix(token),
            Kind = TokenKind.Session,
            AdminId = adminId,
            CreatedAt = now,
            ExpiresAt = now + SessionLifetime,
        };
        db.Add(session);
        return new LoginResponse(token, session.ExpiresAt!.Value.ToDateTimeOffset());
    }
}
