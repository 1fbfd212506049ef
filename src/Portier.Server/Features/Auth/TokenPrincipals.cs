using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>
/// What an admin token or session carries as it stands in the database: its claims and when it expires.
/// The claims are shared by every request that presents the token, so each request gets its own copies.
/// </summary>
public sealed record TokenClaims(IReadOnlyList<Claim> Claims, Instant? ExpiresAt)
{
    public bool ExpiredAt(Instant now) => ExpiresAt <= now;

    public ClaimsPrincipal ToPrincipal(string scheme) => new(new ClaimsIdentity(Claims, scheme));
}

/// <summary>
/// Turns a presented token (an API token, an admin session or a member session) into the caller's
/// claims: permissions from the token or the admin's roles, and the visible sites. Requests reach it
/// through <see cref="PrincipalCache"/>; the live stream re-reads tokens by id here.
/// </summary>
public static class TokenPrincipals
{
    /// <summary>The claims of the admin token or session with this hash: null once it is unknown, revoked, expired or its admin disabled.</summary>
    public static async Task<TokenClaims?> ClaimsForHashAsync(PortierDbContext db, Instant now, string hash, CancellationToken ct)
    {
        var token = await db.Set<ApiToken>().AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        return token is null ? null : await ClaimsForAsync(db, now, token, ct);
    }

    /// <summary>The claims of an admin token or session as they stand now: null once it is revoked, expired or its admin disabled.</summary>
    public static async Task<ClaimsPrincipal?> ForTokenIdAsync(PortierDbContext db, Instant now, Guid tokenId, string scheme, CancellationToken ct)
    {
        var token = await db.Set<ApiToken>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == tokenId, ct);
        return token is null ? null : (await ClaimsForAsync(db, now, token, ct))?.ToPrincipal(scheme);
    }

    private static async Task<TokenClaims?> ClaimsForAsync(PortierDbContext db, Instant now, ApiToken token, CancellationToken ct)
    {
        if (token.Revoked || token.ExpiresAt <= now) return null;

        var admin = await db.Set<AdminAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == token.AdminId, ct);
        if (admin is null || admin.Disabled) return null;

        var permissions = token.Kind == TokenKind.Api ? token.Permissions : await RolePermissionsAsync(db, admin, ct);
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, admin.Id.ToString()),
            new(ClaimTypes.Name, admin.Email),
            new(PortierClaims.DisplayName, admin.Name),
            new(PortierClaims.TokenId, token.Id.ToString()),
        };
        claims.AddRange(permissions.Select(p => new Claim(PortierClaims.Permission, p)));
        claims.AddRange(EffectiveSites(admin.SiteIds, token.SiteIds).Select(s => new Claim(PortierClaims.Site, s.ToString())));
        if (admin.SiteIds.Count > 0 || token.SiteIds.Count > 0) claims.Add(new Claim(PortierClaims.SiteLimited, "true"));
        return new TokenClaims(claims, token.ExpiresAt);
    }

    private static async Task<List<string>> RolePermissionsAsync(PortierDbContext db, AdminAccount admin, CancellationToken ct)
    {
        var roles = await db.Set<Role>().AsNoTracking().Where(r => admin.RoleIds.Contains(r.Id)).ToListAsync(ct);
        return roles.SelectMany(r => r.Permissions).Distinct(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<Guid> EffectiveSites(List<Guid> adminSites, List<Guid> tokenSites) =>
        (adminSites.Count, tokenSites.Count) switch
        {
            (0, _) => tokenSites,
            (_, 0) => adminSites,
            _ => tokenSites.Intersect(adminSites),
        };
}
