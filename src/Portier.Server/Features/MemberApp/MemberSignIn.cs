using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Portier.Server.Features.MemberApp;

/// <summary>
/// A one-time sign-in code sent to a person's email. Only its hash is kept; it expires after
/// ten minutes and burns after five wrong guesses.
/// </summary>
public sealed class SignInCode
{
    public const int MaxAttempts = 5;
    public static readonly Duration Lifetime = Duration.FromMinutes(10);

    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid PersonId { get; init; }
    public Guid SiteId { get; init; }
    public required string CodeHash { get; init; }
    public Instant CreatedAt { get; init; }
    public Instant ExpiresAt { get; init; }
    public int FailedAttempts { get; set; }
    public bool Consumed { get; set; }

    public bool IsUsable(Instant now) => !Consumed && FailedAttempts < MaxAttempts && now < ExpiresAt;
}

/// <summary>A signed-in member app session: proves who the person is, never grants a door by itself.</summary>
public sealed class MemberSession
{
    public static readonly Duration Lifetime = Duration.FromDays(30);

    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid PersonId { get; init; }
    public Guid SiteId { get; init; }
    public required string TokenHash { get; init; }
    public Instant CreatedAt { get; init; }
    public Instant ExpiresAt { get; init; }
    /// <summary>The last request made with this session; the site's app lock measures idleness from here.</summary>
    public Instant LastActiveAt { get; set; }
    public bool Revoked { get; set; }
}

internal sealed class SignInCodeConfiguration : IEntityTypeConfiguration<SignInCode>
{
    public void Configure(EntityTypeBuilder<SignInCode> b)
    {
        b.ToTable("member_sign_in_codes");
        b.HasIndex(c => new { c.PersonId, c.CreatedAt });
        b.Property(c => c.CodeHash).HasMaxLength(64);
    }
}

internal sealed class MemberSessionConfiguration : IEntityTypeConfiguration<MemberSession>
{
    public void Configure(EntityTypeBuilder<MemberSession> b)
    {
        b.ToTable("member_sessions");
        b.HasIndex(s => s.TokenHash).IsUnique();
        b.Property(s => s.TokenHash).HasMaxLength(64);
    }
}
