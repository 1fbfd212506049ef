using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.MemberApp;

public sealed record SignInRequest(Guid SiteId, string Email) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Email, "email", 320);
    }
}

public sealed record SignInStarted(int ExpiresInSeconds);

public sealed record VerifyRequest(Guid SiteId, string Email, string Code) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Email, "email", 320);
        errors.Require(Code is { Length: 6 } && Code.All(char.IsAsciiDigit), "code", "Must be the 6-digit code from the email.");
    }
}

public sealed record MemberToken(string Token, DateTimeOffset ExpiresAt, Guid PersonId, string Name);

/// <summary>
/// Who is signed in, the site's app lock (null = off), the member permissions the person holds, and the site's
/// IANA time zone, in which the app shows every time.
/// </summary>
public sealed record MemberProfile(
    Guid PersonId, Guid SiteId, string Name, string? Email, string PersonType, string? MembershipStatus, int? AppLockMinutes,
    IReadOnlyList<string> Permissions, string TimeZone);
