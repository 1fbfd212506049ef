using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>Operator tasks of the manuals done in the console alone (docs/console-tasks.md): opening a door, removing things, scope geofences.</summary>
public sealed class OperatorTaskTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private async Task<(string Site, string Door)> SiteWithDoorAsync(string name, string door)
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name, timeZone = "Europe/Paris" });
        var siteId = site.GetProperty("id").GetString()!;
        var created = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId, name = door });
        return (siteId, created.GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task Door_ForceClosed_AdminOpensItFromItsPage_ThenDeletesIt()
    {
        var (site, door) = await SiteWithDoorAsync("Override Hall", "Loading bay");
        await using var controller = await SimulatedControllers.PairAsync(fixture, door);
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/doors/{door}");
        await page.Locator("[data-test=maintenance-ForceClosed]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Maintenance: ForceClosed.")).ToBeVisibleAsync();

        // The admin override opens even a force-closed door, and the controller confirms it.
        await page.Locator("[data-test=open-door]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=open-result]")).ToContainTextAsync("Opened: the controller released the lock for 10 s.", new() { Timeout = 15_000 });
        await Browser.ScreenshotAsync(page, "door-opened-by-admin");
        var log = await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/access-events?siteId={site}&doorId={door}");
        Assert.Contains(log.GetProperty("items").EnumerateArray(), e =>
            e.GetProperty("path").GetString() == "admin_override" && e.GetProperty("outcome").GetString() == "confirmed_unlocked");

        await page.Locator("[data-test=delete-door]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/console/doors");
        await Assertions.Expect(page.Locator("[data-test=doors]")).ToContainTextAsync("No door at this site yet.");
    }

    [Fact]
    public async Task Person_AllowedToInviteVisitorsFromTheApp_ThenDeleted()
    {
        var (site, _) = await SiteWithDoorAsync("Invite House", "Lobby");
        var person = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Hana Host", email = "hana@invite.example" });
        var personId = person.GetProperty("id").GetString();
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/people/{personId}");

        await page.GetByRole(AriaRole.Switch, new() { Name = "May invite visitors from the member app", Exact = true }).ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "May invite visitors from the app.")).ToBeVisibleAsync();
        var permissions = await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/people/{personId}/member-permissions");
        Assert.Equal(["invites:create_own"], permissions.EnumerateArray().Select(p => p.GetString()));

        await page.Locator("[data-test=delete-person]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/console/people");
        var left = await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/people?siteId={site}");
        Assert.Equal(0, left.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Scope_OwnGeofenceWithBuffer_IsSavedAndShownAsOwn()
    {
        var (site, _) = await SiteWithDoorAsync("Fence Yard", "Yard gate");
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/scopes?site={site}");
        var form = page.Locator("[data-test=scope-form]");
        await ConsoleDriver.FillAsync(page, "Name", "Yard", form);
        await ConsoleDriver.PickAsync(page, "Doors", "Yard gate", form);
        await form.GetByRole(AriaRole.Switch, new() { Name = "Geofence inherits from the site", Exact = true }).ClickAsync();
        await form.GetByRole(AriaRole.Switch, new() { Name = "Geofence for app unlocks", Exact = true }).ClickAsync();
        await ConsoleDriver.FillAsync(page, "Latitude", "48.85", form);
        await ConsoleDriver.FillAsync(page, "Longitude", "2.35", form);
        await ConsoleDriver.FillAsync(page, "Radius (m)", "150", form);
        await ConsoleDriver.FillAsync(page, "Accuracy buffer (m)", "40", form);
        await form.Locator("[data-test=save-scope]").ClickAsync();

        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Scope saved.")).ToBeVisibleAsync();
        var scopes = page.Locator("[data-test=scopes]");
        await Assertions.Expect(scopes.Locator("tr").Filter(new() { HasText = "Yard gate" })).ToContainTextAsync("own");
        var saved = (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/scopes?siteId={site}")).GetProperty("items")[0].GetProperty("geofenceOverride");
        Assert.Equal((true, 150.0, 40.0), (saved.GetProperty("enabled").GetBoolean(), saved.GetProperty("radiusMeters").GetDouble(), saved.GetProperty("accuracyBufferMeters").GetDouble()));
    }
}
