using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>
/// The console signs admins in with a cookie that carries their session token; the API keeps the
/// bearer scheme alone. A selector scheme sends every /api request (and any request with an
/// Authorization header) to the bearer scheme, so the API still answers 401/403 problems and a
/// console cookie can never authorize an API call on its own.
/// </summary>
public static class ConsoleAuthentication
{
    public const string CookieScheme = "Console";
    public const string SelectorScheme = "Portier";
    public const string SignInPath = "/console/sign-in";

    public static AuthenticationBuilder AddConsoleCookie(this AuthenticationBuilder builder) =>
        builder
            .AddPolicyScheme(SelectorScheme, "Bearer for the API, cookie for the console", o => o.ForwardDefaultSelector = http =>
                http.Request.Path.StartsWithSegments("/api") || http.Request.Headers.Authorization.Count > 0
                    ? TokenAuthenticationHandler.SchemeName
                    : CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "portier_console";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = SignInPath;
                o.AccessDeniedPath = "/console/denied";
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = false;
                o.Events.OnValidatePrincipal = RefreshAsync;
            });

    /// <summary>The permission catalog as named policies, so pages say <c>[Authorize(Policy = Permissions.DoorsRead)]</c>.</summary>
    public static void AddPermissionPolicies(this Microsoft.AspNetCore.Authorization.AuthorizationOptions options)
    {
        foreach (var permission in Permissions.All)
            options.AddPolicy(permission, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(context => CurrentUser.HasPermission(context.User, permission)));
    }

    /// <summary>The principal for a session token, with the token kept for the console's API calls.</summary>
    public static async Task<ClaimsPrincipal?> PrincipalForAsync(IServiceProvider services, string sessionToken, CancellationToken ct)
    {
        var principal = await services.GetRequiredService<PrincipalCache>().ForTokenAsync(
            sessionToken, CookieScheme, services.GetRequiredService<PortierDbContext>, services.GetRequiredService<TimeProvider>(), ct);
        if (principal?.Identity is not ClaimsIdentity identity || !identity.HasClaim(c => c.Type == ClaimTypes.NameIdentifier)) return null;
        identity.AddClaim(new Claim(PortierClaims.SessionToken, sessionToken));
        return principal;
    }

    /// <summary>Where to go after signing in: only console paths on this server; anything else lands on the dashboard.</summary>
    public static string SafeReturn(string? url)
    {
        var path = "/" + (url ?? "").TrimStart('/');
        return path.StartsWith("/console", StringComparison.Ordinal) && !path.Contains("//", StringComparison.Ordinal) && !path.Contains('\\', StringComparison.Ordinal)
            ? path : "/console";
    }

    /// <summary>Ends the console session: the session token is revoked, then the cookie removed.</summary>
    public static async Task SignOutAsync(HttpContext http, PortierDbContext db)
    {
        if (http.User.FindFirstValue(PortierClaims.SessionToken) is { } token)
        {
            var hash = TokenSecrets.Hash(token);
            var session = await db.Set<ApiToken>().FirstOrDefaultAsync(t => t.TokenHash == hash && t.Kind == TokenKind.Session, http.RequestAborted);
            if (session is not null)
            {
                session.Revoked = true;
                await db.SaveChangesAsync(http.RequestAborted);
            }
        }
        await http.SignOutAsync(CookieScheme);
    }

    /// <summary>
    /// Every request re-checks the session and the admin's roles (<see cref="PrincipalCache"/>): a revoked
    /// session, a disabled account or a changed role takes effect on the next click, not when the cookie expires.
    /// </summary>
    private static async Task RefreshAsync(CookieValidatePrincipalContext context)
    {
        var token = context.Principal?.FindFirstValue(PortierClaims.SessionToken);
        var services = context.HttpContext.RequestServices;
        var fresh = token is null ? null : await PrincipalForAsync(services, token, context.HttpContext.RequestAborted);
        if (fresh is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
            return;
        }
        context.ReplacePrincipal(fresh);
    }
}
