using Portier.Core.Model;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Email;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.MemberApp;

/// <summary>
/// Passwordless sign-in for the member app: a 6-digit code by email, exchanged for a session.
/// Signing in only proves who someone is; every unlock is still decided on its own.
/// </summary>
public static class MemberSignInApi
{
    private const int MaxCodesPerHour = 5;

    public static IEndpointRouteBuilder MapMemberSignInApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("app", "Member app");
        group.MapPost("/sign-in", StartSignIn).AllowAnonymous().RequireRateLimiting(AuthExtensions.LoginRateLimit);
        group.MapPost("/verify", Verify).AllowAnonymous().RequireRateLimiting(AuthExtensions.LoginRateLimit);
        group.MapGet("/me", Me).RequireMember();
        return app;
    }

    /// <summary>Answers the same whether or not the email is known, so it cannot be used to probe for members.</summary>
    private static async Task<Accepted<SignInStarted>> StartSignIn(
        SignInRequest request, PortierDbContext db, EmailSender email, TimeProvider clock, CancellationToken ct)
    {
        var started = TypedResults.Accepted((string?)null, new SignInStarted((int)SignInCode.Lifetime.TotalSeconds));
        var address = request.Email.Trim();
        var person = await db.Set<Person>().FirstOrDefaultAsync(p => p.SiteId == request.SiteId && p.Email == address, ct);
        if (person is null) return started;
        var now = clock.GetCurrentInstant();
        var recent = await db.Set<SignInCode>().CountAsync(c => c.PersonId == person.Id && c.CreatedAt > now - NodaTime.Duration.FromHours(1), ct);
        if (recent >= MaxCodesPerHour) return started;

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var id = SequentialIds.Next();
        var signIn = new SignInCode
        {
            Id = id, PersonId = person.Id, SiteId = person.SiteId, CreatedAt = now, ExpiresAt = now + SignInCode.Lifetime,
            CodeHash = HashCode(id, code),
        };
        db.Add(signIn);
        await db.SaveChangesAsync(ct);
        var siteName = await db.Set<Site>().Where(s => s.Id == person.SiteId).Select(s => s.Name).FirstAsync(ct);
        await email.SendAsync(new EmailMessage(address, $"Your {siteName} sign-in code",
            $"Your sign-in code is {code}. It expires in 10 minutes. If you did not ask for it, ignore this message."), ct);
        return started;
    }

    /// <summary>
    /// Beside the per-code limit (a code burns after five wrong guesses) the account itself locks
    /// with back-off after repeated failures, so asking for new codes does not buy more guesses.
    /// </summary>
    private static async Task<Results<Ok<MemberToken>, ProblemHttpResult>> Verify(
        VerifyRequest request, PortierDbContext db, SignInLockout lockout, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var invalid = Problems.Make(StatusCodes.Status401Unauthorized, "invalid_code", "The code is wrong, used or expired.");
        var key = SignInLockout.MemberKey(request.SiteId, request.Email);
        if (await lockout.LockedForAsync(key, ct) is { } wait) return SignInLockout.Locked(http, wait);
        var address = request.Email.Trim();
        var person = await db.Set<Person>().FirstOrDefaultAsync(p => p.SiteId == request.SiteId && p.Email == address, ct);
        var now = clock.GetCurrentInstant();
        var signIn = person is null ? null : await db.Set<SignInCode>()
            .Where(c => c.PersonId == person.Id && !c.Consumed && c.ExpiresAt > now && c.FailedAttempts < SignInCode.MaxAttempts)
            .OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync(ct);
        if (signIn is null || !CryptographicOperations.FixedTimeEquals(
                Convert.FromHexString(signIn.CodeHash), Convert.FromHexString(HashCode(signIn.Id, request.Code))))
        {
            if (signIn is not null)
            {
                signIn.FailedAttempts++;
                await db.SaveChangesAsync(ct);
            }
            await lockout.FailedAsync(key, ct);
            return invalid;
        }
        await lockout.SucceededAsync(key, ct);
        signIn.Consumed = true;
        var token = MemberTokens.New();
        var session = new MemberSession
        {
            PersonId = person!.Id, SiteId = person.SiteId, TokenHash = TokenSecrets.Hash(token),
            CreatedAt = now, ExpiresAt = now + MemberSession.Lifetime, LastActiveAt = now,
        };
        db.Add(session);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new MemberToken(token, session.ExpiresAt.ToDateTimeOffset(), person.Id, person.Name));
    }

    private static async Task<Results<Ok<MemberProfile>, ProblemHttpResult>> Me(PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var person = await db.Set<Person>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == user.PersonId, ct);
        if (person is null) return Problems.NotFound("Person");
        var lockMinutes = await db.Set<MemberAppSettings>().Where(s => s.SiteId == person.SiteId).Select(s => s.AppLockMinutes).FirstOrDefaultAsync(ct);
        var timeZone = await db.Set<Site>().Where(s => s.Id == person.SiteId).Select(s => s.TimeZone).FirstAsync(ct);
        return TypedResults.Ok(new MemberProfile(person.Id, person.SiteId, person.Name, person.Email, person.PersonType, person.MembershipStatus,
            lockMinutes, Permissions.MemberGrantable.Where(user.Has).Order(StringComparer.Ordinal).ToList(), timeZone));
    }

    private static string HashCode(Guid codeId, string code) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{codeId:N}:{code}")));
}

public static class MemberTokens
{
    public const string Prefix = "ptm_";

    public static string New() => Prefix + TokenSecrets.NewToken()[TokenSecrets.Prefix.Length..];

    public static bool IsMemberToken(string token) => token.StartsWith(Prefix, StringComparison.Ordinal);
}
