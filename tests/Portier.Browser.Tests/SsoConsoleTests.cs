using Microsoft.Playwright;
using Portier.TestOidcProvider;

namespace Portier.Browser.Tests;

/// <summary>An admin signs in to the console through an OpenID Connect provider's own login page.</summary>
public sealed class SsoConsoleTests : IAsyncLifetime
{
    private OidcTestProvider _idp = null!;
    private ConsoleServer _server = null!;
    private Browser _browser = null!;

    public async ValueTask InitializeAsync()
    {
        _idp = await OidcTestProvider.StartAsync(new TestUser("olivia", ConsoleDriver.AdminEmail, EmailVerified: true, ["ops"], "Olivia at the provider"));
        _server = new ConsoleServer(new Dictionary<string, string?>
        {
            ["Sso:Providers:test:Authority"] = _idp.Authority.ToString(),
            ["Sso:Providers:test:ClientId"] = OidcTestProvider.ClientId,
            ["Sso:Providers:test:ClientSecret"] = OidcTestProvider.ClientSecret,
            ["Sso:Providers:test:DisplayName"] = "Harbor ID",
            ["Sso:Providers:test:RequireHttpsMetadata"] = "false",
        });
        _server.Start();
        _idp.AllowRedirectUri(new Uri(_server.BaseAddress, "/signin-oidc-test").ToString());
        _browser = await Browser.StartAsync();
    }

    [Fact]
    public async Task SignIn_ThroughTheProvidersLoginPage_LandsOnTheDashboard()
    {
        var page = await _browser.NewPageAsync(_server.BaseAddress);
        await ConsoleDriver.CreateFirstAdminAsync(page, _server.SetupCode());

        await page.GotoAsync("/console/sign-in");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Harbor ID" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(_idp.Authority.ToString(), StringComparison.Ordinal));
        await page.Locator("#username").FillAsync("olivia");
        await Browser.ScreenshotAsync(page, "sso-provider-login");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await page.WaitForURLAsync(url => url.TrimEnd('/').EndsWith("/console", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=signed-in-as]")).ToHaveTextAsync("Olivia Ops");
        await Browser.ScreenshotAsync(page, "sso-dashboard");
    }

    [Fact]
    public async Task SsoOnlySwitch_OnTheAdminsPage_RefusesThePasswordSignIn()
    {
        var page = await _browser.NewPageAsync(_server.BaseAddress);
        await ConsoleDriver.CreateFirstAdminAsync(page, _server.SetupCode());
        await ConsoleDriver.SignInAsync(page);

        await page.GotoAsync("/console/admins");
        await page.Locator("[data-test=admins]").GetByRole(AriaRole.Button, new() { Name = "Edit admin" }).ClickAsync();
        await page.GetByRole(AriaRole.Switch, new() { Name = "SSO only", Exact = true }).ClickAsync();
        await page.Locator("[data-test=save-admin]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Admin saved.")).ToBeVisibleAsync();

        // Limiting the admin to single sign-on ended its password session; the password no longer opens one.
        await page.GotoAsync("/console/sign-in");
        await page.Locator("#email").FillAsync(ConsoleDriver.AdminEmail);
        await page.Locator("#password").FillAsync(ConsoleDriver.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This account signs in with single sign-on only; use the button below.");
        await Browser.ScreenshotAsync(page, "sso-only-refused");
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _server.DisposeAsync();
        await _idp.DisposeAsync();
    }
}
