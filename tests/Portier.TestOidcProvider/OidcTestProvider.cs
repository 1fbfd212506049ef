using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Portier.TestOidcProvider;

/// <summary>A person the provider knows, and how the provider should misbehave for them.</summary>
public sealed record TestUser(string Username, string Email, bool EmailVerified, IReadOnlyList<string> Groups, string Name)
{
    /// <summary>The id token names this audience instead of the client that asked for it.</summary>
    public string? Audience { get; init; }

    /// <summary>The id token is issued already expired by this much.</summary>
    public TimeSpan? ExpiredBy { get; init; }
}

/// <summary>
/// A real OpenID Connect provider (OpenIddict) on 127.0.0.1 and a free port: discovery, keys, an authorization
/// endpoint with a one-field login form, and a token endpoint, for the authorization code flow with PKCE and one
/// confidential client. No stores: the client and redirect URIs are checked here, and codes are self-contained.
/// </summary>
public sealed class OidcTestProvider : IAsyncDisposable
{
    public const string ClientId = "portier-console";
    public const string ClientSecret = "test-client-secret-5f1c2a";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TestUser> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _redirectUris = new(StringComparer.Ordinal);

    private OidcTestProvider(WebApplication app) => _app = app;

    public Uri Authority { get; private set; } = null!;

    public static Task<OidcTestProvider> StartAsync(params TestUser[] users) => StartAsync(0, users);

    /// <summary>The provider on 127.0.0.1 and <paramref name="port"/> (0: a free one).</summary>
    public static async Task<OidcTestProvider> StartAsync(int port, params TestUser[] users)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        OidcTestProvider? self = null;
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.Email, Scopes.Profile, "groups");
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            o.DisableAccessTokenEncryption();
            o.EnableDegradedMode();
            o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            o.AddEventHandler<ValidateAuthorizationRequestContext>(b => b.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId) context.Reject(Errors.InvalidClient, "Unknown client.");
                else if (context.RedirectUri is null || !self!._redirectUris.ContainsKey(context.RedirectUri))
                    context.Reject(Errors.InvalidRequest, "The redirect_uri is not registered.");
                return default;
            }));
            o.AddEventHandler<ValidateTokenRequestContext>(b => b.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.ClientSecret != ClientSecret) context.Reject(Errors.InvalidClient, "Bad client credentials.");
                return default;
            }));
            // Runs after the id token's principal got its audience and lifetime, before it is signed.
            o.AddEventHandler<ProcessSignInContext>(b => b.UseInlineHandler(context =>
            {
                self!.Misbehave(context);
                return default;
            }).SetOrder(OpenIddictServerHandlers.GenerateIdentityToken.Descriptor.Order - 1).SetType(OpenIddictServerHandlerType.Custom));
        });
        var app = builder.Build();
        self = new OidcTestProvider(app);
        foreach (var user in users) self._users[user.Username] = user;
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], self.Authorize);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self.Authority = new Uri(address.TrimEnd('/') + "/");
        return self;
    }

    /// <summary>A client redirect URI the provider accepts (the relying party's callback).</summary>
    public void AllowRedirectUri(string uri) => _redirectUris[uri] = true;

    /// <summary>Without a username: the login form. With a known one: signed in, back to the client with a code.</summary>
    private IResult Authorize(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an authorization request.");
        var username = (string?)request["username"];
        if (username is null || !_users.TryGetValue(username, out var user)) return Results.Content(LoginForm(request, username is not null), "text/html; charset=utf-8");

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, user.Username));
        identity.AddClaim(new Claim(Claims.Name, user.Name));
        identity.AddClaim(new Claim(Claims.Email, user.Email));
        identity.AddClaim(new Claim(Claims.EmailVerified, user.EmailVerified ? "true" : "false", ClaimValueTypes.Boolean));
        foreach (var group in user.Groups) identity.AddClaim(new Claim("groups", group));
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(static _ => [Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private void Misbehave(ProcessSignInContext context)
    {
        if (context.IdentityTokenPrincipal is not { } principal || !_users.TryGetValue(principal.GetClaim(Claims.Subject) ?? "", out var user)) return;
        if (user.Audience is { } audience) principal.SetAudiences(audience);
        if (user.ExpiredBy is { } by)
        {
            var expiry = TimeProvider.System.GetUtcNow() - by;
            principal.SetCreationDate(expiry - TimeSpan.FromMinutes(5));
            principal.SetExpirationDate(expiry);
        }
    }

    /// <summary>A form that repeats the authorization request with a username; every parameter rides along hidden.</summary>
    private static string LoginForm(OpenIddictRequest request, bool unknown)
    {
        var html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Test provider sign-in</title></head><body>");
        html.Append("<h1>Test provider</h1>");
        if (unknown) html.Append("<p role=\"alert\">Unknown user.</p>");
        html.Append("<form method=\"get\" action=\"/connect/authorize\">");
        foreach (var (name, value) in request.GetParameters())
        {
            if (name == "username") continue;
            html.Append("<input type=\"hidden\" name=\"").Append(WebUtility.HtmlEncode(name)).Append("\" value=\"")
                .Append(WebUtility.HtmlEncode((string?)value)).Append("\">");
        }
        html.Append("<label for=\"username\">Username</label><input id=\"username\" name=\"username\" autocomplete=\"username\">");
        html.Append("<button type=\"submit\">Sign in</button></form></body></html>");
        return html.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
