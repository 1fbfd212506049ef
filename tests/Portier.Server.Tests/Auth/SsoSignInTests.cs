using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Auth;
using Portier.Server.Tests.Infrastructure;
using Portier.TestOidcProvider;

namespace Portier.Server.Tests.Auth;

/// <summary>A Portier server with one single sign-on provider: a real OpenID Connect provider on loopback.</summary>
public sealed class SsoFixture : IAsyncLifetime
{
    public const string Provider = "test";
    public const string MappedGroup = "portier-admins";
    public const string MappedRole = "SSO Owners";

    public OidcTestProvider Idp { get; private set; } = null!;
    public PortierServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Idp = await OidcTestProvider.StartAsync(
            new TestUser("ada", "Ada@Example.org", EmailVerified: true, [], "Ada Admin"),
            new TestUser("rolf", "rolf@example.org", EmailVerified: true, [MappedGroup, "staff"], "Rolf Role"),
            new TestUser("gus", "gus@example.org", EmailVerified: true, ["staff"], "Gus Guest"),
            new TestUser("ursula", "ursula@example.org", EmailVerified: false, [MappedGroup], "Ursula Unverified"),
            new TestUser("mallory", "mallory@example.org", EmailVerified: true, [], "Mallory") { Audience = "another-client" },
            new TestUser("ernie", "ernie@example.org", EmailVerified: true, [], "Ernie Expired") { ExpiredBy = TimeSpan.FromHours(1) },
            new TestUser("rita", "rita@example.org", EmailVerified: true, [], "Rita Replay"));
        Idp.AllowRedirectUri($"http://localhost/signin-oidc-{Provider}");
        // The clock starts at the real time: the provider's tokens and the browser cookies live on the real clock.
        Server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite), PortierServer.WithSettings(new Dictionary<string, string?>
        {
            [$"Sso:Providers:{Provider}:Authority"] = Idp.Authority.ToString(),
            [$"Sso:Providers:{Provider}:ClientId"] = OidcTestProvider.ClientId,
            [$"Sso:Providers:{Provider}:ClientSecret"] = OidcTestProvider.ClientSecret,
            [$"Sso:Providers:{Provider}:DisplayName"] = "Test IdP",
            [$"Sso:Providers:{Provider}:RequireHttpsMetadata"] = "false",
            [$"Sso:Providers:{Provider}:RoleClaim"] = "groups",
            [$"Sso:Providers:{Provider}:RoleMap:{MappedGroup}"] = MappedRole,
        }), start: TimeProvider.System.GetUtcNow());
        _ = Server.Server;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Idp.DisposeAsync();
    }
}

/// <summary>The browser's side of the flow, one redirect at a time: the console on the test server, the provider over real HTTP.</summary>
internal sealed class SsoBrowser : IDisposable
{
    private readonly PortierServer _server;
    private readonly HttpClient _portier;
    private readonly HttpClient _idp = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    public SsoBrowser(PortierServer server, CookieContainer? cookies = null)
    {
        _server = server;
        Cookies = cookies ?? new CookieContainer();
        _portier = new HttpClient(new CookieContainerHandler(Cookies) { InnerHandler = server.Server.CreateHandler() }) { BaseAddress = server.Server.BaseAddress };
    }

    public CookieContainer Cookies { get; }

    /// <summary>Starts at the console's button, signs in at the provider as <paramref name="username"/>, and answers the callback URL.</summary>
    public async Task<Uri> CallbackFromProviderAsync(string username)
    {
        // The provider's tokens and this cookie jar live on the real clock; the server's follows it.
        _server.Clock.SetUtcNow(TimeProvider.System.GetUtcNow());
        using var start = await _portier.GetAsync($"/console/sso/{SsoFixture.Provider}?returnUrl=%2Fconsole%2Fadmins", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = start.Headers.Location!;
        Assert.Contains("code_challenge_method=S256", authorize.Query, StringComparison.Ordinal);
        Assert.Contains("response_type=code", authorize.Query, StringComparison.Ordinal);

        using var login = await _idp.GetAsync($"{authorize}&username={username}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var callback = login.Headers.Location!;
        Assert.Equal($"/signin-oidc-{SsoFixture.Provider}", callback.AbsolutePath);
        return callback;
    }

    public Task<HttpResponseMessage> GetAsync(Uri url) => _portier.GetAsync(url, TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> GetAsync(string url) => _portier.GetAsync(url, TestContext.Current.CancellationToken);

    /// <summary>Whether the console cookie opens a console page (rather than sending to the sign-in page).</summary>
    public async Task<bool> IsSignedInAsync()
    {
        using var page = await GetAsync("/console/admins");
        return page.StatusCode == HttpStatusCode.OK;
    }

    public void Dispose()
    {
        _portier.Dispose();
        _idp.Dispose();
    }
}

public sealed class SsoSignInTests(SsoFixture fixture) : IClassFixture<SsoFixture>
{
    private readonly PortierServer _server = fixture.Server;

    [Fact]
    public async Task SignIn_VerifiedEmailOfAnAdmin_OpensAConsoleSessionAndIsAudited()
    {
        var ada = await CreateAdminAsync("ada@example.org", roleIds: [await RoleAsync("Ada's role", "admins:read")]);
        using var browser = new SsoBrowser(_server);

        using var callback = await browser.GetAsync(await browser.CallbackFromProviderAsync("ada"));

        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        Assert.Contains("url=/console/admins", await callback.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.True(await browser.IsSignedInAsync());
        var entry = await LatestSignInAsync("ada@example.org");
        Assert.Equal("signed_in", entry.GetProperty("Outcome").GetString());
        Assert.Equal(ada.ToString(), entry.GetProperty("AdminId").GetString());
        Assert.False(entry.GetProperty("AdminCreated").GetBoolean());
        Assert.False(entry.TryGetProperty("StateHash", out _));
    }

    [Fact]
    public async Task SignIn_NoAdminButAMappedGroup_CreatesAnSsoOnlyAdminWithTheRole()
    {
        var role = await RoleAsync(SsoFixture.MappedRole, "admin:full:access");
        using var browser = new SsoBrowser(_server);

        using var callback = await browser.GetAsync(await browser.CallbackFromProviderAsync("rolf"));

        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        Assert.True(await browser.IsSignedInAsync());
        var rolf = (await _server.Admin().GetJsonAsync("/api/v1/admins?q=rolf")).GetProperty("items")[0];
        Assert.Equal("Rolf Role", rolf.GetProperty("name").GetString());
        Assert.True(rolf.GetProperty("ssoOnly").GetBoolean());
        Assert.False(rolf.GetProperty("hasPassword").GetBoolean());
        Assert.Equal(role, Assert.Single(rolf.GetProperty("roleIds").EnumerateArray()).GetGuid());
        var created = (await _server.Admin().GetJsonAsync($"/api/v1/audit?entityType=AdminAccount&entityId={rolf.Id()}")).GetProperty("items")[0];
        Assert.Equal("created", created.GetProperty("action").GetString());
        Assert.Equal("sso:test:rolf@example.org", created.GetProperty("actor").GetString());
        Assert.True((await LatestSignInAsync("rolf@example.org")).GetProperty("AdminCreated").GetBoolean());
        Assert.False(_server.Services.GetRequiredService<SetupCode>().IsOpen);
    }

    [Fact]
    public async Task SignIn_NoAdminAndNoMappedGroup_IsRefusedWithAMessage()
    {
        using var browser = new SsoBrowser(_server);

        using var callback = await browser.GetAsync(await browser.CallbackFromProviderAsync("gus"));

        await ExpectRefusedAsync(browser, callback, "sso_no_admin");
        Assert.Equal(0, await _server.Admin().TotalAsync("/api/v1/admins?q=gus"));
        using var page = await browser.GetAsync(callback.Headers.Location!);
        Assert.Contains("no Portier admin has this email address", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_UnverifiedEmail_IsRefusedEvenForAnExistingAdmin()
    {
        await CreateAdminAsync("ursula@example.org");
        using var browser = new SsoBrowser(_server);

        using var callback = await browser.GetAsync(await browser.CallbackFromProviderAsync("ursula"));

        await ExpectRefusedAsync(browser, callback, "sso_email_unverified");
        var entry = await LatestSignInAsync("ursula@example.org");
        Assert.Equal("refused", entry.GetProperty("Outcome").GetString());
        Assert.Equal("sso_email_unverified", entry.GetProperty("Reason").GetString());
    }

    [Fact]
    public async Task SignIn_TokenIssuedForAnotherClient_IsRefused()
    {
        await CreateAdminAsync("mallory@example.org");
        using var browser = new SsoBrowser(_server);

        using var callback = await browser.GetAsync(await browser.CallbackFromProviderAsync("mallory"));

        await ExpectRefusedAsync(browser, callback, "sso_token_rejected");
        Assert.Equal("wrong_audience", (await LatestFailureAsync()).GetProperty("Detail").GetString());
    }

    [Fact]
    public async Task SignIn_ExpiredToken_IsRefused()
    {
        await CreateAdminAsync("ernie@example.org");
        using var browser = new SsoBrowser(_server);

        using var callback = await browser.GetAsync(await browser.CallbackFromProviderAsync("ernie"));

        await ExpectRefusedAsync(browser, callback, "sso_token_rejected");
        Assert.Equal("token_expired", (await LatestFailureAsync()).GetProperty("Detail").GetString());
    }

    [Fact]
    public async Task SignIn_SameCallbackTwice_IsRefusedTheSecondTime()
    {
        await CreateAdminAsync("rita@example.org");
        using var browser = new SsoBrowser(_server);
        var url = await browser.CallbackFromProviderAsync("rita");
        // What an attacker who captured the callback and the browser's cookies would present.
        var captured = new CookieContainer();
        captured.Add(browser.Cookies.GetAllCookies());

        using var first = await browser.GetAsync(url);
        using var again = await browser.GetAsync(url);
        using var thief = new SsoBrowser(_server, captured);
        using var stolen = await thief.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(ConsoleRefusal("sso_state_invalid"), again.Headers.Location?.ToString());
        Assert.Equal(ConsoleRefusal("sso_replayed"), stolen.Headers.Location?.ToString());
        Assert.False(await thief.IsSignedInAsync());
    }

    [Fact]
    public async Task PasswordSignIn_SsoOnlyAdmin_IsRefusedWithSsoOnly()
    {
        var id = await CreateAdminAsync("sam@example.org", password: "sam's long password");
        using var before = await _server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email = "sam@example.org", password = "sam's long password" });
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await (await _server.Admin().PutJsonAsync($"/api/v1/admins/{id}", new { email = "sam@example.org", name = "Sam", ssoOnly = true })).ExpectAsync(HttpStatusCode.OK);

        await (await _server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email = "sam@example.org", password = "sam's long password" }))
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "sso_only");
        await (await _server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email = "sam@example.org", password = "a wrong long password" }))
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var session = (await before.JsonAsync()).GetProperty("token").GetString()!;
        using var revoked = await _server.WithToken(session).GetAsync("/api/v1/auth/me", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task SignInPage_ShowsAButtonPerProvider()
    {
        using var browser = new SsoBrowser(_server);

        using var page = await browser.GetAsync("/console/sign-in");

        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Sign in with Test IdP", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/console/sso/test\"", html, StringComparison.Ordinal);
    }

    private static string ConsoleRefusal(string code) => $"/console/sign-in?sso={code}";

    private static async Task ExpectRefusedAsync(SsoBrowser browser, HttpResponseMessage callback, string code)
    {
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal(ConsoleRefusal(code), callback.Headers.Location?.ToString());
        Assert.False(await browser.IsSignedInAsync());
    }

    private async Task<Guid> CreateAdminAsync(string email, string? password = null, Guid[]? roleIds = null) =>
        (await (await _server.Admin().PostJsonAsync("/api/v1/admins", new { email, name = email.Split('@')[0], password, roleIds = roleIds ?? [] }))
            .ExpectAsync(HttpStatusCode.Created)).Id();

    private async Task<Guid> RoleAsync(string name, string permission) =>
        (await (await _server.Admin().PostJsonAsync("/api/v1/roles", new { name, permissions = new[] { permission } })).ExpectAsync(HttpStatusCode.Created)).Id();

    /// <summary>The newest audited sign-in attempt, as the audit trail recorded it, optionally of one email.</summary>
    private async Task<JsonElement> LatestSignInAsync(string? email)
    {
        var entries = (await _server.Admin().GetJsonAsync("/api/v1/audit?entityType=SsoSignIn&pageSize=100")).GetProperty("items").EnumerateArray()
            .Select(e => JsonDocument.Parse(e.GetProperty("after").GetString()!).RootElement);
        return entries.First(e => email is null || e.GetProperty("Email").GetString() == email);
    }

    private Task<JsonElement> LatestFailureAsync() => LatestSignInAsync(null);
}

/// <summary>Without any provider configured, no admin can be limited to single sign-on.</summary>
public sealed class SsoOnlyWithoutProviderTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task CreateAdmin_SsoOnlyWithoutProvider_IsRefusedAndNothingWritten()
    {
        var admin = fixture.Server.Admin();

        await (await admin.PostJsonAsync("/api/v1/admins", new { email = "solo@example.org", name = "Solo", ssoOnly = true }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "sso_not_configured");

        Assert.Equal(0, await admin.TotalAsync("/api/v1/admins?q=solo"));
    }
}
