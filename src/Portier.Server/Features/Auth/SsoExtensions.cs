using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Portier.Server.Features.Auth;

/// <summary>
/// Single sign-on for console admins: one OpenID Connect scheme per configured provider (authorization
/// code with PKCE), whose callback opens the same console session a password sign-in opens.
/// </summary>
public static class SsoExtensions
{
    public static WebApplicationBuilder AddPortierSso(this WebApplicationBuilder builder)
    {
        var providers = SsoProviders.Read(builder.Configuration);
        builder.Services.AddSingleton(providers);
        builder.Services.AddScoped<SsoSignIns>();
        var authentication = builder.Services.AddAuthentication();
        foreach (var provider in providers.All)
            authentication.AddOpenIdConnect(provider.Scheme, provider.DisplayName, o => Configure(o, provider));
        return builder;
    }

    /// <summary><c>GET /console/sso/{provider}</c> sends the browser to the provider; its answer comes back to the provider's callback path.</summary>
    public static IEndpointRouteBuilder MapSsoSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/console/sso/{provider}", (string provider, string? returnUrl, SsoProviders providers) =>
                providers.Find(provider) is { } found
                    ? Results.Challenge(new AuthenticationProperties { RedirectUri = ConsoleAuthentication.SafeReturn(returnUrl) }, [found.Scheme])
                    : Results.Redirect(RefusedPage(SsoSignIns.UnknownProvider)))
            .AllowAnonymous()
            .RequireRateLimiting(AuthExtensions.LoginRateLimit)
            .ExcludeFromDescription();
        return app;
    }

    public static string RefusedPage(string code) => $"{ConsoleAuthentication.SignInPath}?sso={Uri.EscapeDataString(code)}";

    private static void Configure(OpenIdConnectOptions o, SsoProvider provider)
    {
        var settings = provider.Options;
        o.Authority = settings.Authority;
        o.ClientId = settings.ClientId;
        o.ClientSecret = string.IsNullOrWhiteSpace(settings.ClientSecret) ? null : settings.ClientSecret;
        o.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        o.ResponseType = OpenIdConnectResponseType.Code;
        o.UsePkce = true;
        // The code comes back in the query of a top-level GET, which carries the Lax correlation and nonce
        // cookies; a cross-site form post would need SameSite=None cookies, which plain-http sites cannot set.
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.CorrelationCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.NonceCookie.SameSite = SameSiteMode.Lax;
        o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.CallbackPath = provider.CallbackPath;
        o.SignInScheme = ConsoleAuthentication.CookieScheme;
        o.Scope.Clear();
        o.Scope.Add(OpenIdConnectScope.OpenId);
        foreach (var scope in settings.Scopes.Count > 0 ? settings.Scopes : [OpenIdConnectScope.OpenIdProfile, OpenIdConnectScope.Email])
            if (scope != OpenIdConnectScope.OpenId) o.Scope.Add(scope);
        // Claims keep the provider's names (email, email_verified, groups), which the role map speaks.
        o.MapInboundClaims = false;
        o.SaveTokens = false;
        o.GetClaimsFromUserInfoEndpoint = false;
        o.DisableTelemetry = true;
        o.Events.OnTicketReceived = TicketReceivedAsync;
        o.Events.OnRemoteFailure = RemoteFailureAsync;
    }

    /// <summary>
    /// The id token is valid: Portier decides who it is and answers with its own session. It answers with a
    /// page that moves on to the console instead of a redirect, so the browser's next request starts on this
    /// site and carries the strict console cookie even when the provider lives on another site.
    /// </summary>
    private static async Task TicketReceivedAsync(TicketReceivedContext context)
    {
        context.HandleResponse();
        var http = context.HttpContext;
        var provider = http.RequestServices.GetRequiredService<SsoProviders>().ForScheme(context.Scheme.Name)!;
        var result = await http.RequestServices.GetRequiredService<SsoSignIns>()
            .CompleteAsync(provider, context.Principal!, context.Request.Query["state"].ToString(), http.RequestAborted);
        if (result.Principal is null)
        {
            http.Response.Redirect(RefusedPage(result.Refusal!));
            return;
        }
        await http.SignInAsync(ConsoleAuthentication.CookieScheme, result.Principal,
            new AuthenticationProperties { ExpiresUtc = result.ExpiresAt, IsPersistent = false });
        var target = WebUtility.HtmlEncode(ConsoleAuthentication.SafeReturn(context.ReturnUri));
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync(
            $"<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={target}\"><title>Signed in · Portier</title></head>" +
            $"<body><p>Signed in. <a href=\"{target}\" data-test=\"continue\">Continue to the console</a></p></body></html>", http.RequestAborted);
    }

    /// <summary>Anything that stopped the sign-in before a valid token: recorded, then the sign-in page says why. Never a 500.</summary>
    private static async Task RemoteFailureAsync(RemoteFailureContext context)
    {
        context.HandleResponse();
        var http = context.HttpContext;
        var (code, detail) = Classify(context.Failure);
        if (http.RequestServices.GetRequiredService<SsoProviders>().ForScheme(context.Scheme.Name) is { } provider)
            await http.RequestServices.GetRequiredService<SsoSignIns>().FailAsync(provider, code, detail, http.RequestAborted);
        http.Response.Redirect(RefusedPage(code));
    }

    private static (string Code, string? Detail) Classify(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SecurityTokenExpiredException: return (SsoSignIns.TokenRejected, "token_expired");
                case SecurityTokenInvalidAudienceException: return (SsoSignIns.TokenRejected, "wrong_audience");
                case SecurityTokenInvalidIssuerException: return (SsoSignIns.TokenRejected, "wrong_issuer");
                case SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException: return (SsoSignIns.TokenRejected, "bad_signature");
                case SecurityTokenNotYetValidException: return (SsoSignIns.TokenRejected, "token_not_yet_valid");
                case SecurityTokenException: return (SsoSignIns.TokenRejected, "token_invalid");
                case OpenIdConnectProtocolInvalidNonceException: return (SsoSignIns.TokenRejected, "nonce_invalid");
                case OpenIdConnectProtocolException: return (SsoSignIns.ProviderError, null);
            }
        }
        // Correlation failed or the state could not be read: a callback this browser did not start, or used twice.
        return (SsoSignIns.StateInvalid, null);
    }
}
