using Portier.Server.Infrastructure;
using Portier.Server.Features.MemberApp;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>Authenticates <c>Authorization: Bearer …</c> against the hashed API and session tokens.</summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PrincipalCache principals,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";
    public const string HubPaths = "/hubs";
    private const string AppLockedKey = "portier:app_locked";

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
        if (MemberTokens.IsMemberToken(presented))
        {
            var member = await MemberSessions.AuthenticateAsync(Database(), clock.GetCurrentInstant(), TokenSecrets.Hash(presented), SchemeName, Context.RequestAborted);
            if (member.Locked) Context.Items[AppLockedKey] = true;
            return member.Principal is null
                ? AuthenticateResult.Fail(member.Locked ? "The member app is locked." : "Unknown, expired or revoked session.")
                : AuthenticateResult.Success(new AuthenticationTicket(member.Principal, SchemeName));
        }
        var principal = await principals.ForTokenAsync(presented, SchemeName, Database, clock, Context.RequestAborted);
        return principal is null
            ? AuthenticateResult.Fail("Unknown, expired or disabled token.")
            : AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private PortierDbContext Database() => Context.RequestServices.GetRequiredService<PortierDbContext>();

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Context.Items.ContainsKey(AppLockedKey)
            ? WriteProblem(StatusCodes.Status401Unauthorized, "app_locked", "The member app was idle too long: verify again with a new one-time code.")
            : WriteProblem(StatusCodes.Status401Unauthorized, "unauthorized", "A valid bearer token is required.");

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
    public const string DisplayName = "portier:display_name";
    /// <summary>The console cookie carries its admin session token, which the console presents to the API.</summary>
    public const string SessionToken = "portier:session_token";
}
