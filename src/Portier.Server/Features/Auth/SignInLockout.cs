using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

public sealed class LockoutOptions
{
    public const string Section = "Auth:Lockout";

    /// <summary>Failed sign-ins in a row for one account before it is locked.</summary>
    [Range(1, 1000)]
    public int Threshold { get; set; } = 5;

    /// <summary>The first lock; each further lock doubles it up to <see cref="MaxLockSeconds"/>.</summary>
    [Range(1, 86_400)]
    public int FirstLockSeconds { get; set; } = 60;

    [Range(1, 86_400)]
    public int MaxLockSeconds { get; set; } = 3_600;
}

/// <summary>
/// Failed sign-ins of one account, counted whatever address they come from. The key is a hash of the
/// kind and the normalized email, so unknown emails are counted exactly like known ones (and the
/// table never holds an email in clear).
/// </summary>
public sealed class SignInFailures
{
    public required string Key { get; init; }
    /// <summary>Failures since the last success or the last lock.</summary>
    public int Failures { get; set; }
    /// <summary>Locks so far; the next lock lasts twice as long as the previous one.</summary>
    public int Locks { get; set; }
    public Instant? LockedUntil { get; set; }
    public Instant LastFailureAt { get; set; }
}

internal sealed class SignInFailuresConfiguration : IEntityTypeConfiguration<SignInFailures>
{
    public void Configure(EntityTypeBuilder<SignInFailures> b)
    {
        b.ToTable("sign_in_failures");
        b.HasKey(f => f.Key);
        b.Property(f => f.Key).HasMaxLength(64);
    }
}

/// <summary>
/// Per-account lockout with back-off, beside the per-address rate limit: after
/// <see cref="LockoutOptions.Threshold"/> failures in a row an account is locked for a minute, then
/// two, four, … up to an hour, whatever address the attempts come from. A success clears the count;
/// a day without failures forgets the earlier locks. While locked every attempt is refused without
/// looking at the password, the same way for known and unknown emails.
/// </summary>
public sealed class SignInLockout(PortierDbContext db, TimeProvider clock, IOptions<LockoutOptions> options)
{
    private static readonly Duration ForgetAfter = Duration.FromDays(1);

    public static string AdminKey(string email) => KeyOf($"admin:{Normalize(email)}");

    public static string MemberKey(Guid siteId, string email) => KeyOf($"member:{siteId:D}:{Normalize(email)}");

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>How long the account stays locked, or null when it may try.</summary>
    public async Task<TimeSpan?> LockedForAsync(string key, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var until = await db.Set<SignInFailures>().AsNoTracking().Where(f => f.Key == key).Select(f => f.LockedUntil).FirstOrDefaultAsync(ct);
        return until > now ? (until.Value - now).ToTimeSpan() : null;
    }

    public async Task FailedAsync(string key, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var now = clock.GetCurrentInstant();
            var row = await db.Set<SignInFailures>().FirstOrDefaultAsync(f => f.Key == key, ct);
            if (row is null) db.Add(row = new SignInFailures { Key = key });
            else if (now - row.LastFailureAt >= ForgetAfter) (row.Failures, row.Locks) = (0, 0);
            row.Failures++;
            row.LastFailureAt = now;
            if (row.Failures >= options.Value.Threshold)
            {
                row.LockedUntil = now + LockLength(row.Locks);
                row.Locks++;
                row.Failures = 0;
            }
            // Two first failures at the same moment both insert; the loser counts again on the winner's row.
            if (await db.TrySaveUniqueAsync(ct) || attempt > 0) return;
        }
    }

    public Task SucceededAsync(string key, CancellationToken ct) =>
        db.Set<SignInFailures>().Where(f => f.Key == key).ExecuteDeleteAsync(ct);

    /// <summary>
    /// The answer while an account is locked: 429 with Retry-After, the same for known and unknown
    /// emails, so the lock tells nothing about which accounts exist.
    /// </summary>
    public static ProblemHttpResult Locked(HttpContext http, TimeSpan wait)
    {
        var seconds = (long)Math.Ceiling(wait.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Make(StatusCodes.Status429TooManyRequests, "too_many_attempts", $"Too many failed sign-ins for this account; try again in {seconds} s.");
    }

    private Duration LockLength(int earlierLocks)
    {
        var seconds = Math.Min((double)options.Value.FirstLockSeconds * Math.Pow(2, Math.Min(earlierLocks, 30)), options.Value.MaxLockSeconds);
        return Duration.FromSeconds(seconds);
    }

    private static string KeyOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
