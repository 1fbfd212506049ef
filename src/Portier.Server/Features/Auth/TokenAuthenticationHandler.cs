using Portier.Server.Infrastructure;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>Authenticates <c>Authorization: Bearer …</c> against the hashed API and session tokens.</summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PortierDbContext db,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";
    public const string HubPaths = "/hubs";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        string presented;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = header["Bearer ".Length..].Trim();
        // Browsers cannot set headers on a WebSocket, so SignalR sends the token in the query
        // string; that is accepted on the hub paths only, never on the API.
        else if (Request.Path.StartsWithSegments(HubPaths) && Request.Query["access_token"] is [{ } query]) presented = query;
        else return AuthenticateResult.NoResult();
        if (presented.Length is 0 or > 200) return AuthenticateResult.Fail("Malformed token.");

        var hash = TokenSecrets.Hash(presented);
        if (MemberApp.MemberTokens.IsMemberToken(presented)) return await AuthenticateMemberAsync(hash);
        var token = await db.Set<ApiToken>().AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, Context.RequestAborted);
        var now = clock.GetCurrentInstant();
        if (token is null || token.Revoked || token.ExpiresAt <= now) return AuthenticateResult.Fail("Unknown or expired token.");

        var admin = await db.Set<AdminAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == token.AdminId, Context.RequestAborted);
        if (admin is null || admin.Disabled) return AuthenticateResult.Fail("The token's account is disabled.");

        var permissions = token.Kind == TokenKind.Api ? token.Permissions : await RolePermissionsAsync(admin);
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, admin.Id.ToString()),
            new(ClaimTypes.Name, admin.Email),
            new(PortierClaims.TokenId, token.Id.ToString()),
        };
        claims.AddRange(permissions.Select(p => new Claim(PortierClaims.Permission, p)));
        claims.AddRange(EffectiveSites(admin.SiteIds, token.SiteIds).Select(s => new Claim(PortierClaims.Site, s.ToString())));
        if (admin.SiteIds.Count > 0 || token.SiteIds.Count > 0) claims.Add(new Claim(PortierClaims.SiteLimited, "true"));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>A member app session: identifies one person at one site and carries no admin permission.</summary>
    private async Task<AuthenticateResult> AuthenticateMemberAsync(string hash)
    {
        var now = clock.GetCurrentInstant();
        var session = await db.Set<MemberApp.MemberSession>().AsNoTracking().FirstOrDefaultAsync(s => s.TokenHash == hash, Context.RequestAborted);
        if (session is null || session.Revoked || session.ExpiresAt <= now) return AuthenticateResult.Fail("Unknown or expired session.");
        var claims = new List<Claim>
        {
            new(PortierClaims.Person, session.PersonId.ToString()),
            new(ClaimTypes.Name, $"person:{session.PersonId}"),
            new(PortierClaims.Site, session.SiteId.ToString()),
            new(PortierClaims.SiteLimited, "true"),
        };
        var granted = await db.Set<Invites.MemberGrant>().AsNoTracking()
            .Where(p => p.PersonId == session.PersonId).Select(p => p.Permission).ToListAsync(Context.RequestAborted);
        claims.AddRange(granted.Where(Permissions.MemberGrantable.Contains).Select(p => new Claim(PortierClaims.Permission, p)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private async Task<List<string>> RolePermissionsAsync(AdminAccount admin)
    {
        var roles = await db.Set<Role>().AsNoTracking().Where(r => admin.RoleIds.Contains(r.Id)).ToListAsync(Context.RequestAborted);
        return roles.SelectMany(r => r.Permissions).Distinct(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<Guid> EffectiveSites(List<Guid> adminSites, List<Guid> tokenSites) =>
        (adminSites.Count, tokenSites.Count) switch
        {
            (0, _) => tokenSites,
            (_, 0) => adminSites,
            _ => tokenSites.Intersect(adminSites),
        };

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status401Unauthorized, "unauthorized", "A valid bearer token is required.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, "forbidden", "The token lacks the permission this action needs.");

    private Task WriteProblem(int status, string code, string detail)
    {
        Response.StatusCode = status;
        if (status == 401) Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Make(status, code, detail).ExecuteAsync(Context);
    }
}

public static class PortierClaims
{
    public const string Permission = "portier:perm";
    public const string Site = "portier:site";
    public const string SiteLimited = "portier:site_limited";
    public const string TokenId = "portier:token";
    public const string Person = "portier:person";
}
