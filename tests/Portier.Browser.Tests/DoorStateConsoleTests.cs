using System.Diagnostics;
using Microsoft.Playwright;
using Portier.Core.Devices;

namespace Portier.Browser.Tests;

/// <summary>
/// Door states in the console follow the controllers live: a door forced open is flagged on the dashboard and
/// counted in the menu within a second of the controller's report; the doors list, grouped by location, shows
/// locked, open and offline doors and changes as the doors do; the menu sits under its five headings.
/// </summary>
public sealed class DoorStateConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    /// <summary>The product's promise: an alarm is on the operator's screen within a second of the controller's report.</summary>
    private static readonly TimeSpan Promise = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ForcedOpen_FlaggedOnTheDashboard_AndCountedInTheMenu_WithinOneSecond()
    {
        var site = await SiteAsync("Forced Works");
        var door = await DoorAsync(site, "Loading bay", null);
        await using var controller = await DoorController.PairAsync(fixture, door);

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console?site={site}");
        var row = page.Locator($"[data-test=door-state-row][data-door='{door}']");
        await Assertions.Expect(row.Locator("[data-test=door-state]")).ToHaveAttributeAsync("data-state", "locked", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("[data-test=standing-alarm-count]")).ToHaveTextAsync("No standing alarm");
        await Assertions.Expect(page.Locator("[data-test=nav-alarm-count]")).ToHaveCountAsync(0);

        // A first forced opening, not timed: the first alarm after a server start also pays for loading its code.
        await controller.ReportDoorAsync(DoorPosition.Open);
        await WaitUntilFlaggedAsync(page, door);
        await controller.ReportDoorAsync(DoorPosition.Closed);
        await Assertions.Expect(page.Locator("[data-test=standing-alarm-count]")).ToHaveTextAsync("No standing alarm", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("[data-test=nav-alarm-count]")).ToHaveCountAsync(0);

        var published = Stopwatch.StartNew();
        await controller.ReportDoorAsync(DoorPosition.Open);
        await WaitUntilFlaggedAsync(page, door);
        var elapsed = published.Elapsed;

        await Assertions.Expect(page.Locator("[data-test=standing-alarm]")).ToContainTextAsync("Loading bay");
        await Browser.ScreenshotAsync(page, "dashboard-forced-open");
        Assert.True(elapsed < Promise, $"The forced-open door showed after {elapsed.TotalMilliseconds:F0} ms; the promise is {Promise.TotalMilliseconds:F0} ms.");

        // Closing the door clears the alarm: the card and the badge follow.
        await controller.ReportDoorAsync(DoorPosition.Closed);
        await Assertions.Expect(page.Locator("[data-test=standing-alarm-count]")).ToHaveTextAsync("No standing alarm", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("[data-test=nav-alarm-count]")).ToHaveCountAsync(0);
        await Assertions.Expect(row.Locator("[data-test=door-state]")).ToHaveAttributeAsync("data-state", "locked");
    }

    [Fact]
    public async Task DoorsList_GroupedByLocation_ShowsLockedOpenAndOffline_AndFollowsTheDoors()
    {
        var site = await SiteAsync("State Hall");
        var front = await DoorAsync(site, "Front door", "North wing");
        var side = await DoorAsync(site, "Side door", "North wing");
        var store = await DoorAsync(site, "Store room", "South wing");
        var shed = await DoorAsync(site, "Bike shed", null);
        await using var frontController = await DoorController.PairAsync(fixture, front);
        await using var sideController = await DoorController.PairAsync(fixture, side);
        var storeController = await DoorController.PairAsync(fixture, store);
        await sideController.ReportDoorAsync(DoorPosition.Open, requestToExit: true);

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/doors?site={site}");
        var table = page.Locator("[data-test=doors]");
        await Assertions.Expect(table.Locator("[data-test=location-group]")).ToHaveTextAsync(["North wing", "South wing", "No location"]);
        await ExpectStateAsync(page, "Front door", "locked", "locked");
        await ExpectStateAsync(page, "Side door", "open", "open");
        await ExpectStateAsync(page, "Store room", "locked", "locked");
        await ExpectStateAsync(page, "Bike shed", "no_controller", "no controller");

        // Live, without reloading: the side door closes, the front door opens for someone leaving, the store room's controller drops off.
        await sideController.ReportDoorAsync(DoorPosition.Closed);
        await frontController.ReportDoorAsync(DoorPosition.Open, requestToExit: true);
        await storeController.DisposeAsync();
        await ExpectStateAsync(page, "Side door", "locked", "locked");
        await ExpectStateAsync(page, "Front door", "open", "open");
        await ExpectStateAsync(page, "Store room", "offline", "controller offline");
        await Assertions.Expect(page.Locator("[data-test=doors] tr").Filter(new() { HasText = "Store room" }).Locator("[data-test=door-status]")).ToHaveTextAsync("offline");
        await Browser.ScreenshotAsync(page, "doors-live-states");
        await frontController.ReportDoorAsync(DoorPosition.Closed);
        await ExpectStateAsync(page, "Front door", "locked", "locked");
    }

    [Fact]
    public async Task Menu_ShowsItsFiveGroupHeadings_WithTheirEntries()
    {
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync("/console");
        var nav = page.Locator("[data-test=console-nav]");
        await Assertions.Expect(nav.GetByRole(AriaRole.Button)).ToHaveTextAsync(["Monitor", "Doors & people", "Visitors", "Events", "Settings"]);
        await Assertions.Expect(nav.GetByRole(AriaRole.Navigation, new() { Name = "Monitor" }).GetByRole(AriaRole.Link, new() { Name = "Alarms" })).ToBeVisibleAsync();
        await Assertions.Expect(nav.GetByRole(AriaRole.Navigation, new() { Name = "Doors & people" }).GetByRole(AriaRole.Link, new() { Name = "Doors" })).ToBeVisibleAsync();
        await Assertions.Expect(nav.GetByRole(AriaRole.Navigation, new() { Name = "Visitors" }).GetByRole(AriaRole.Link, new() { Name = "Access invites" })).ToBeVisibleAsync();
        await Assertions.Expect(nav.GetByRole(AriaRole.Navigation, new() { Name = "Settings" }).GetByRole(AriaRole.Link, new() { Name = "Admins & roles" })).ToBeVisibleAsync();
    }

    /// <summary>The door's chip, the dashboard's alarm list and the menu's count all show the forced opening, checked together every few milliseconds so the time measured is the page's, not the polling's.</summary>
    private static async Task WaitUntilFlaggedAsync(IPage page, string door) =>
        await page.WaitForFunctionAsync(
            """
            door => {
                const chip = document.querySelector(`[data-test=door-state-row][data-door='${door}'] [data-test=door-state]`);
                const alarm = document.querySelector("[data-test=standing-alarm][data-kind=door_forced_open]");
                const badge = document.querySelector("[data-test=nav-alarm-count]");
                return chip?.dataset.state === "forced_open" && alarm !== null && badge?.textContent.trim() === "1";
            }
            """,
            door, new() { PollingInterval = 10, Timeout = 10_000 });

    private static async Task ExpectStateAsync(IPage page, string door, string state, string label)
    {
        var chip = page.Locator("[data-test=doors] tr").Filter(new() { HasText = door }).Locator("[data-test=door-state]");
        await Assertions.Expect(chip).ToHaveAttributeAsync("data-state", state, new() { Timeout = 10_000 });
        await Assertions.Expect(chip).ToHaveTextAsync(label);
    }

    private async Task<string> SiteAsync(string name) =>
        (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name, timeZone = "Europe/London" })).GetProperty("id").GetString()!;

    private async Task<string> DoorAsync(string site, string name, string? location) =>
        (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name, locationLabel = location })).GetProperty("id").GetString()!;
}
