using Portier.Core.Model;
using Portier.Server.Features.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Portier.Server.Features.Auth;

/// <summary>An admin of the console and API. Audited: creations and changes (never the password hash) go into the audit trail.</summary>
public sealed class AdminAccount : IAudited, IPrincipalDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public required string Email { get; set; }
    public required string Name { get; set; }
    /// <summary>Null for accounts that can only use API tokens (such as the bootstrap admin).</summary>
    [Secret]
    public string? PasswordHash { get; set; }
    /// <summary>Signs in through a single sign-on provider only: a correct password is refused (<c>sso_only</c>).</summary>
    public bool SsoOnly { get; set; }
    public List<Guid> RoleIds { get; set; } = [];
    /// <summary>Empty means every site.</summary>
    public List<Guid> SiteIds { get; set; } = [];
    public bool Disabled { get; set; }
    public Instant CreatedAt { get; init; }
}

public sealed class Role : IPrincipalDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public required string Name { get; set; }
    public List<string> Permissions { get; set; } = [];
}

public enum TokenKind { Api, Session }

/// <summary>A bearer token; only its SHA-256 hash is stored, the clear value is shown once.</summary>
public sealed class ApiToken : IPrincipalDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public required string Name { get; set; }
    public required string TokenHash { get; init; }
    public required string Prefix { get; init; }
    public TokenKind Kind { get; init; }
    public Guid AdminId { get; init; }
    /// <summary>For API tokens: the token's own permissions. Sessions carry the admin's roles instead.</summary>
    public List<string> Permissions { get; set; } = [];
    /// <summary>Empty means every site the owning admin may see.</summary>
    public List<Guid> SiteIds { get; set; } = [];
    public Instant CreatedAt { get; init; }
    public Instant? ExpiresAt { get; init; }
    public bool Revoked { get; set; }
}

internal sealed class AdminAccountConfiguration : IEntityTypeConfiguration<AdminAccount>
{
    public void Configure(EntityTypeBuilder<AdminAccount> b)
    {
        b.ToTable("admin_accounts");
        b.HasIndex(a => a.Email).IsUnique();
        b.Property(a => a.Email).HasMaxLength(320);
        b.Property(a => a.Name).HasMaxLength(200);
    }
}

internal sealed class RoleConfiguration : IEntityTypeConfiguration<Role>
{
    public void Configure(EntityTypeBuilder<Role> b)
    {
        b.ToTable("roles");
        b.HasIndex(r => r.Name).IsUnique();
        b.Property(r => r.Name).HasMaxLength(100);
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> b)
    {
        b.ToTable("api_tokens");
        b.HasIndex(t => t.TokenHash).IsUnique();
        b.Property(t => t.TokenHash).HasMaxLength(64);
        b.Property(t => t.Prefix).HasMaxLength(16);
        b.Property(t => t.Name).HasMaxLength(200);
    }
}
