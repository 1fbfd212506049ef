using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>First-to-arrive set on the door page: the group and scope, then today's state.</summary>
public sealed class FirstArrivalConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task DoorPage_WaitForStaff_SavedAndShownAsWaitingForTheFirstArrival()
    {
        var site = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Arrival Office", timeZone = "Europe/Paris" })).GetProperty("id").GetString()!;
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Sam Staff", personType = "Staff" });
        var allDay = new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" }
            .Select(day => new { day, start = "00:00", end = "24:00" }).ToArray();
        var door = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Front door", autoUnlock = allDay })).GetProperty("id").GetString()!;
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/doors/{door}");

        await page.GetByRole(AriaRole.Switch, new() { Name = "The hours start by themselves", Exact = true }).ClickAsync();
        await page.GetByLabel("Person types (comma separated)", new() { Exact = true }).FillAsync("Staff");
        await page.GetByLabel("Person types (comma separated)", new() { Exact = true }).BlurAsync();
        await page.Locator("[data-test=save]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Saved.")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=first-arrival-today]"))
            .ToContainTextAsync("Auto-unlock waits for the first arrival of person type Staff, at this door.");
        await Browser.ScreenshotAsync(page, "door-first-to-arrive");

        var saved = await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/doors/{door}");
        Assert.Equal("door", saved.GetProperty("firstToArrive").GetProperty("scope").GetString());
        Assert.Equal("Staff", saved.GetProperty("firstToArrive").GetProperty("personTypes")[0].GetString());
        Assert.False(saved.GetProperty("firstArrivalToday").GetProperty("started").GetBoolean());
    }
}
