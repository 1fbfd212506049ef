using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Auth;

public sealed record LoginRequest(string Email, string Password) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotBlank(Email, "email", 320);
        errors.NotBlank(Password, "password", 1000);
    }
}

public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt);

public sealed record MeResponse(Guid AdminId, string Email, IReadOnlyList<string> Permissions, IReadOnlyList<Guid>? Sites);

public sealed record TokenRequest(string Name, IReadOnlyList<string>? Permissions, IReadOnlyList<Guid>? SiteIds, DateTimeOffset? ExpiresAt) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotBlank(Name, "name");
        ValidatePermissions(Permissions, "permissions", errors);
    }

    public static void ValidatePermissions(IReadOnlyList<string>? permissions, string field, ValidationErrors errors)
    {
        foreach (var p in permissions ?? [])
            if (!Auth.Permissions.IsKnown(p)) errors.Add(field, $"Unknown permission '{p}'.");
    }
}

public sealed record TokenResponse(Guid Id, string Name, string Prefix, IReadOnlyList<string> Permissions, IReadOnlyList<Guid> SiteIds,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, bool Revoked)
{
    public static TokenResponse From(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.Permissions, t.SiteIds,
        t.CreatedAt.ToDateTimeOffset(), t.ExpiresAt?.ToDateTimeOffset(), t.Revoked);
}

/// <summary>The clear token appears in this answer only.</summary>
public sealed record CreatedTokenResponse(string Token, TokenResponse Details);

public sealed record AdminRequest(string Email, string Name, string? Password, IReadOnlyList<Guid>? RoleIds, IReadOnlyList<Guid>? SiteIds, bool Disabled = false,
    bool SsoOnly = false) : IValidatable
{
    public const int MinPasswordLength = 12;

    public void Validate(ValidationErrors errors)
    {
        errors.NotBlank(Email, "email", 320);
        errors.Require(Email is null || Email.Contains('@', StringComparison.Ordinal), "email", "Must be an email address.");
        errors.NotBlank(Name, "name");
        if (Password is not null)
            errors.Require(Password.Length >= MinPasswordLength, "password", $"Must be at least {MinPasswordLength} characters.");
    }
}

public sealed record AdminResponse(Guid Id, string Email, string Name, IReadOnlyList<Guid> RoleIds, IReadOnlyList<Guid> SiteIds, bool Disabled, bool HasPassword,
    bool SsoOnly)
{
    public static AdminResponse From(AdminAccount a) => new(a.Id, a.Email, a.Name, a.RoleIds, a.SiteIds, a.Disabled, a.PasswordHash is not null, a.SsoOnly);
}

public sealed record RoleRequest(string Name, IReadOnlyList<string> Permissions) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotBlank(Name, "name", 100);
        TokenRequest.ValidatePermissions(Permissions, "permissions", errors);
    }
}

public sealed record RoleResponse(Guid Id, string Name, IReadOnlyList<string> Permissions)
{
    public static RoleResponse From(Role r) => new(r.Id, r.Name, r.Permissions);
}
