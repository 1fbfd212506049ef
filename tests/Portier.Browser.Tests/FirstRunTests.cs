using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>A fresh install: no admin yet, so the console asks for the setup code from the server log.</summary>
public sealed class FirstRunTests : IAsyncLifetime
{
    private readonly ConsoleServer _server = new();
    private Browser _browser = null!;

    public async ValueTask InitializeAsync()
    {
        _server.Start();
        _browser = await Browser.StartAsync();
    }

    [Fact]
    public async Task Setup_WithCodeFromLog_CreatesFirstAdminWhoSignsIn()
    {
        var page = await _browser.NewPageAsync(_server.BaseAddress);
        await page.GotoAsync("/console/sign-in");
        await Assertions.Expect(page.GetByText("No admin account exists yet")).ToBeVisibleAsync();

        await page.GotoAsync("/console/setup");
        await page.Locator("#code").FillAsync("AAAA-BBBB-CCCC");
        await page.Locator("#name").FillAsync("Olivia Ops");
        await page.Locator("#email").FillAsync(ConsoleDriver.AdminEmail);
        await page.Locator("#password").FillAsync(ConsoleDriver.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create admin" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-field=code]")).ToContainTextAsync("setup code is wrong");
        await Browser.ScreenshotAsync(page, "setup");

        await ConsoleDriver.CreateFirstAdminAsync(page, _server.SetupCode());
        await page.GotoAsync("/console/setup");
        await Assertions.Expect(page.GetByText("Setup is closed")).ToBeVisibleAsync();

        await ConsoleDriver.SignInAsync(page);
        await Assertions.Expect(page.Locator("[data-test=signed-in-as]")).ToHaveTextAsync("Olivia Ops");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sites & rules" })).ToBeVisibleAsync();

        // Signing out revokes the session: the console asks to sign in again.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/console/sign-in", StringComparison.Ordinal));
        await page.GotoAsync("/console/sites");
        await page.WaitForURLAsync(url => url.Contains("/console/sign-in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_WrongPassword_IsRefused()
    {
        var page = await _browser.NewPageAsync(_server.BaseAddress);
        await page.GotoAsync("/console/sites");
        await page.WaitForURLAsync(url => url.Contains("/console/sign-in", StringComparison.Ordinal));
        await page.Locator("#email").FillAsync("nobody@example.com");
        await page.Locator("#password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The email or password is wrong.");
        await Browser.ScreenshotAsync(page, "sign-in");
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _server.DisposeAsync();
    }
}
