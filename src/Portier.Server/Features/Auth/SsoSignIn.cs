using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.Audit;

namespace Portier.Server.Features.Auth;

/// <summary>
/// One single sign-on attempt that reached Portier: who the provider said it was, and whether it opened a
/// session or why not. Audited, so every attempt is in the audit trail beside the admin it created, if any.
/// </summary>
public sealed class SsoSignIn : IAudited
{
    public const string SignedIn = "signed_in";
    public const string Refused = "refused";

    public Guid Id { get; init; } = SequentialIds.Next();
    public Instant At { get; init; }
    public required string Provider { get; init; }
    /// <summary>The provider's <c>sub</c>; null when the attempt failed before a token was read.</summary>
    public string? Subject { get; init; }
    public string? Email { get; init; }
    /// <summary><see cref="SignedIn"/> or <see cref="Refused"/>.</summary>
    public required string Outcome { get; init; }
    /// <summary>For a refusal, the code the sign-in page shows (such as <c>sso_email_unverified</c>).</summary>
    public string? Reason { get; init; }
    /// <summary>What was wrong with a refused token (<c>token_expired</c>, <c>wrong_audience</c>, …).</summary>
    public string? Detail { get; init; }
    public Guid? AdminId { get; init; }
    public bool AdminCreated { get; init; }
    /// <summary>SHA-256 of the callback's state: a callback is accepted once (unique), so a replayed one is refused.</summary>
    [Secret]
    public string? StateHash { get; init; }
}

internal sealed class SsoSignInConfiguration : IEntityTypeConfiguration<SsoSignIn>
{
    public void Configure(EntityTypeBuilder<SsoSignIn> b)
    {
        b.ToTable("sso_sign_ins");
        b.HasIndex(s => s.At);
        b.HasIndex(s => s.StateHash).IsUnique();
        b.Property(s => s.Provider).HasMaxLength(40);
        b.Property(s => s.Subject).HasMaxLength(255);
        b.Property(s => s.Email).HasMaxLength(320);
        b.Property(s => s.Outcome).HasMaxLength(16);
        b.Property(s => s.Reason).HasMaxLength(40);
        b.Property(s => s.Detail).HasMaxLength(40);
        b.Property(s => s.StateHash).HasMaxLength(64);
    }
}
