using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>A controller's readers in the console: added and removed on the device's page, listed on their door's page.</summary>
public sealed class ReaderConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task DevicePage_AddsAnExitReaderForAnotherDoor_DoorPageListsIt_ThenRemoved()
    {
        var site = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Reader Hall", timeZone = "Europe/Paris" })).GetProperty("id").GetString()!;
        var front = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Front door" })).GetProperty("id").GetString()!;
        var back = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Back door" })).GetProperty("id").GetString()!;
        var device = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/devices", new { doorId = front, name = "Lobby controller" })).GetProperty("id").GetString()!;

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/devices/{device}");
        var form = page.Locator("[data-test=add-reader]");
        await ConsoleDriver.FillAsync(page, "Reader id", "reader-2", form);
        await ConsoleDriver.PickAsync(page, "Door", "Back door", form);
        await ConsoleDriver.PickAsync(page, "Direction", "Exit", form);
        await form.Locator("[data-test=add-reader-button]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Reader reader-2 added.")).ToBeVisibleAsync();
        var readers = page.Locator("[data-test=readers]");
        await Assertions.Expect(readers).ToContainTextAsync("reader-2");
        await Assertions.Expect(readers).ToContainTextAsync("Back door");
        await Assertions.Expect(readers).ToContainTextAsync("Exit");
        await Browser.ScreenshotAsync(page, "device-readers");

        await page.GotoAsync($"/console/doors/{back}");
        var atDoor = page.Locator("[data-test=door-reader]");
        await Assertions.Expect(atDoor).ToContainTextAsync("Lobby controller");
        await Assertions.Expect(atDoor).ToContainTextAsync("reader-2");
        await Assertions.Expect(atDoor).ToContainTextAsync("Exit");
        await Browser.ScreenshotAsync(page, "door-readers");

        await page.GotoAsync($"/console/devices/{device}");
        await page.Locator("[data-test=remove-reader-reader-2]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=readers]")).ToContainTextAsync("No readers registered");
    }
}
