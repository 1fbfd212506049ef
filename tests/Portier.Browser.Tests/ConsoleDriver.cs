using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>The steps tests take in the console, written once: sign in, fill a MudBlazor field, pick from a MudBlazor list.</summary>
public static class ConsoleDriver
{
    public const string AdminEmail = "ops@harbor.example";
    public const string AdminPassword = "correct horse battery";

    public static async Task CreateFirstAdminAsync(IPage page, string setupCode)
    {
        await page.GotoAsync("/console/setup");
        await page.Locator("#code").FillAsync(setupCode);
        await page.Locator("#name").FillAsync("Olivia Ops");
        await page.Locator("#email").FillAsync(AdminEmail);
        await page.Locator("#password").FillAsync(AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create admin" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "The admin account was created" }).WaitForAsync();
    }

    public static async Task SignInAsync(IPage page, string email = AdminEmail, string password = AdminPassword)
    {
        await page.GotoAsync("/console/sign-in");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/console", StringComparison.Ordinal) && !url.Contains("sign-in", StringComparison.Ordinal));
    }

    /// <summary>A MudBlazor text field found by its label; the value is committed as the field loses focus.</summary>
    public static async Task FillAsync(IPage page, string label, string value, ILocator? within = null)
    {
        var field = (within ?? page.Locator("body")).GetByLabel(label, new() { Exact = true });
        await field.FillAsync(value);
        await field.BlurAsync();
    }

    /// <summary>Opens a MudBlazor select or autocomplete by its label and clicks the option with this text.</summary>
    public static async Task PickAsync(IPage page, string label, string option, ILocator? within = null)
    {
        var field = (within ?? page.Locator("body")).GetByLabel(label, new() { Exact = true });
        // A select showing its value may hide its input behind the value's text: click the field's box.
        await field.Locator("xpath=ancestor::div[contains(@class,'mud-input-control')][1]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = option }).First.ClickAsync();
        await page.Keyboard.PressAsync("Escape");
    }

    /// <summary>Types into a MudBlazor autocomplete found by its label and clicks the offered option with this text.</summary>
    public static async Task ChooseAsync(IPage page, string label, string typed, string option, ILocator? within = null)
    {
        var field = (within ?? page.Locator("body")).GetByLabel(label, new() { Exact = true });
        await field.ClickAsync();
        await field.FillAsync(typed);
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = option }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    /// <summary>Opens a MudBlazor multi-select by its label, ticks each option, and waits until its list has closed.</summary>
    public static async Task PickManyAsync(IPage page, string label, IEnumerable<string> options, ILocator? within = null)
    {
        var field = (within ?? page.Locator("body")).GetByLabel(label, new() { Exact = true });
        await field.Locator("xpath=ancestor::div[contains(@class,'mud-input-control')][1]").ClickAsync();
        foreach (var option in options)
            await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = option }).First.ClickAsync();
        // A multi-select stays open after each tick and ignores Escape; a click on its overlay (outside the list) closes it.
        await page.Locator(".mud-overlay").Last.DispatchEventAsync("click");
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    public static ILocator Snackbar(IPage page, string text) => page.Locator(".mud-snackbar").Filter(new() { HasText = text });
}
