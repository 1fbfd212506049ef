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
    public async Task SiteRules_NewPersonTypeRule_StartsFromTheFirstUnusedTypeWithActiveAndCurrent()
    {
        var (site, _) = await SiteWithDoorAsync("Vocabulary Gym", "Turnstile");
        foreach (var (type, status) in new[] { ("Staff", "Active"), ("Member", "Current"), ("Member", "Expired") })
            await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = $"{type} {status}", personType = type, membershipStatus = status });
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/sites/{site}");
        var rules = page.Locator("[data-test=site-rules]");

        await rules.Locator("[data-test=add-type-rule]").ClickAsync();
        await rules.Locator("[data-test=add-type-rule]").ClickAsync();

        var rows = rules.Locator("[data-test=type-rule]");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0).GetByLabel("Person type", new() { Exact = true })).ToHaveValueAsync("Member");
        await Assertions.Expect(rows.Nth(0).Locator("[data-test=status]")).ToHaveTextAsync(["Active", "Current"]);
        await Assertions.Expect(rows.Nth(1).GetByLabel("Person type", new() { Exact = true })).ToHaveValueAsync("Staff");
    }

    [Fact]
    public async Task Door_ForceClosed_AdminOpensItFromItsPage_ThenDeletesIt()
    {
        var (site, door) = await SiteWithDoorAsync("Override Hall", "Loading bay");
        await using var controller = await SimulatedControllers.PairAsync(fixture, door);
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/doors/{door}");
        await page.Locator("[data-test=maintenance-ForceClosed]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Maintenance: force closed.")).ToBeVisibleAsync();

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
    public async Task Door_TimedOverride_ForceClosedForHalfAnHour_ShownOnTheDoorAndTheList_ThenEndedEarly()
    {
        var (_, door) = await SiteWithDoorAsync("Timed Hall", "Loading door");
        await using var controller = await SimulatedControllers.PairAsync(fixture, door);
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/doors/{door}");

        await ConsoleDriver.PickAsync(page, "Hold the door", "Force closed");
        await page.GetByLabel("For (minutes)", new() { Exact = true }).FillAsync("30");
        await page.Locator("[data-test=override-start]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=override-running]")).ToContainTextAsync("Force closed until");
        await Browser.ScreenshotAsync(page, "door-timed-override");
        var shown = await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/doors/{door}");
        Assert.Equal("force_closed", shown.GetProperty("override").GetProperty("mode").GetString());
        var until = shown.GetProperty("override").GetProperty("until").GetDateTimeOffset();
        Assert.InRange(until - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(28), TimeSpan.FromMinutes(30));

        // The doors list of the same site (the breadcrumb keeps the site chosen) says so too.
        await page.Locator(".mud-breadcrumbs").GetByText("Doors").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=doors]")).ToContainTextAsync("override force closed until");

        await page.GotoAsync($"/console/doors/{door}");
        await page.Locator("[data-test=override-end]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Override ended.")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=override-running]")).ToHaveCountAsync(0);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/doors/{door}")).GetProperty("override").ValueKind);
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
        await ConsoleDriver.PickManyAsync(page, "Doors", ["Yard gate"], form);
        var inherits = form.GetByRole(AriaRole.Switch, new() { Name = "Inherits the site's geofence", Exact = true });
        await Assertions.Expect(inherits).ToBeCheckedAsync();
        await inherits.ClickAsync();
        await Assertions.Expect(inherits).Not.ToBeCheckedAsync();
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

    [Fact]
    public async Task Admins_RoleCreatedAndGivenToANewAdmin_WhoSeesOnlyItsAreas()
    {
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync("/console/admins");
        var roleForm = page.Locator("[data-test=role-form]");
        await ConsoleDriver.FillAsync(page, "Role name", "Event staff", roleForm);
        await ConsoleDriver.PickManyAsync(page, "Permissions", ["sites:read", "events:read", "events:write", "access_control:manage"], roleForm);
        await roleForm.Locator("[data-test=save-role]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=roles]")).ToContainTextAsync("access_control:manage");

        var adminForm = page.Locator("[data-test=admin-form]");
        await ConsoleDriver.FillAsync(page, "Name", "Erin Events", adminForm);
        await ConsoleDriver.FillAsync(page, "Email", "erin@harbor.example", adminForm);
        await ConsoleDriver.FillAsync(page, "Password (12+ characters)", "erin's long password", adminForm);
        await ConsoleDriver.PickManyAsync(page, "Roles", ["Event staff"], adminForm);
        await adminForm.Locator("[data-test=save-admin]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=admins] tr").Filter(new() { HasText = "erin@harbor.example" })).ToContainTextAsync("Event staff");
        await Browser.ScreenshotAsync(page, "admins-and-roles");

        var erin = await fixture.Browser.NewPageAsync(fixture.Server.BaseAddress);
        await ConsoleDriver.SignInAsync(erin, "erin@harbor.example", "erin's long password");
        await Assertions.Expect(erin.GetByRole(AriaRole.Link, new() { Name = "Event series" })).ToBeVisibleAsync();
        await Assertions.Expect(erin.GetByRole(AriaRole.Link, new() { Name = "Admins & roles" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Zone_CountCorrectedAfterAHeadCount_ShowsTheNewCount()
    {
        var (site, _) = await SiteWithDoorAsync("Count Hall", "Hall door");
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/zones", new { siteId = site, name = "Main hall", capacity = 80 });
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/zones?site={site}");
        await page.Locator("[data-test=correct-count]").ClickAsync();
        var form = page.Locator("[data-test=count-form]");
        await ConsoleDriver.FillAsync(page, "People inside now", "42", form);
        await ConsoleDriver.FillAsync(page, "Note", "head count at noon", form);
        await form.Locator("[data-test=save-count]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=zones]")).ToContainTextAsync("42 / 80");
    }

    [Fact]
    public async Task Credential_IssuedWithAnExpiry_ThenExtended_ShowsItsWindow()
    {
        var (site, _) = await SiteWithDoorAsync("Card Works", "Workshop");
        var person = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Carl Card" });
        var personId = person.GetProperty("id").GetString();
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/people/{personId}");
        await page.GetByText("Issue a credential", new() { Exact = true }).ClickAsync();
        var form = page.Locator("[data-test=credentials]");
        await ConsoleDriver.FillAsync(page, "Card number (hex)", "04C0FFEE", form);
        await ConsoleDriver.FillAsync(page, "Expires (optional, exclusive)", "31 Jan 2031", form);
        await form.Locator("[data-test=save-credential]").ClickAsync();
        var row = form.Locator("tr").Filter(new() { HasText = "04C0FFEE" });
        await Assertions.Expect(row).ToContainTextAsync("until 31 Jan 2031, 00:00");

        // Later the card is extended and limited in uses, without issuing a new one.
        await row.Locator("[data-test=edit-credential-terms]").ClickAsync();
        var edit = page.Locator("[data-test=edit-credential]");
        await Assertions.Expect(edit.GetByLabel("Expires (optional, exclusive)", new() { Exact = true })).ToHaveValueAsync("31 Jan 2031");
        await ConsoleDriver.FillAsync(page, "Expires (optional, exclusive)", "30 Jun 2032", edit);
        await ConsoleDriver.FillAsync(page, "Max uses (empty: unlimited)", "500", edit);
        await edit.Locator("[data-test=save-credential]").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("until 30 Jun 2032, 00:00");
        await Assertions.Expect(row).ToContainTextAsync("0 / 500");
    }

    [Fact]
    public async Task Site_Empty_IsDeleted_NotEmpty_IsRefusedWithTheReason()
    {
        var (full, _) = await SiteWithDoorAsync("Busy Site", "Busy door");
        var empty = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Empty Site", timeZone = "Europe/Paris" })).GetProperty("id").GetString();
        var page = await fixture.AdminPageAsync();

        await page.GotoAsync($"/console/sites/{full}");
        await page.Locator("[data-test=delete-site]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Delete the site's doors, zones, scopes and people first.")).ToBeVisibleAsync();

        await page.GotoAsync($"/console/sites/{empty}");
        await page.Locator("[data-test=delete-site]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/console/sites");
        await Assertions.Expect(page.Locator("[data-test=sites]")).Not.ToContainTextAsync("Empty Site");
        await Assertions.Expect(page.Locator("[data-test=sites]")).ToContainTextAsync("Busy Site");
    }

    [Fact]
    public async Task EventSession_MovedToAnotherDay_ShowsItsNewTimes()
    {
        var (site, _) = await SiteWithDoorAsync("Class Rooms", "Room door");
        var series = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/event-series", new { siteId = site, name = "Pottery" });
        var seriesId = series.GetProperty("id").GetString();
        await fixture.ApiAsync(HttpMethod.Post, $"/api/v1/event-series/{seriesId}/sessions",
            new { startsAt = new DateTimeOffset(2031, 5, 6, 16, 0, 0, TimeSpan.Zero), endsAt = new DateTimeOffset(2031, 5, 6, 18, 0, 0, TimeSpan.Zero), title = "Wheel basics" });
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/events/{seriesId}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Sessions (1)" }).ClickAsync();
        var sessions = page.Locator("[data-test=sessions]");
        await Assertions.Expect(sessions).ToContainTextAsync("6 May 2031, 18:00");

        await sessions.Locator("[data-test=move-session]").ClickAsync();
        var form = page.Locator("[data-test=new-session]");
        const string startsLabel = "Starts (yyyy-MM-dd HH:mm, Europe/Paris)";
        // The form fills in the session's own times when it renders; typing before that would be overwritten.
        await Assertions.Expect(form.GetByLabel(startsLabel, new() { Exact = true })).ToHaveValueAsync("2031-05-06 18:00");
        await ConsoleDriver.FillAsync(page, startsLabel, "2031-05-08 19:00", form);
        await ConsoleDriver.FillAsync(page, "Ends (yyyy-MM-dd HH:mm)", "2031-05-08 21:00", form);
        await Assertions.Expect(form.GetByLabel(startsLabel, new() { Exact = true })).ToHaveValueAsync("2031-05-08 19:00");
        await form.Locator("[data-test=add-session]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Session moved")).ToBeVisibleAsync();
        await Assertions.Expect(sessions).ToContainTextAsync("8 May 2031, 19:00");
        await Assertions.Expect(sessions).Not.ToContainTextAsync("6 May 2031");
        await Assertions.Expect(sessions.Locator("tbody tr")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Grant_ChangedFromOneDoorToTheWholeSite_KeepsItsNote()
    {
        var (site, door) = await SiteWithDoorAsync("Grant Garden", "Garden gate");
        var person = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Gus Gardener" })).GetProperty("id").GetString();
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/grants", new { personId = person, doorIds = new[] { door }, note = "summer help" });
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/people/{person}");
        var grants = page.Locator("[data-test=grants]");
        await Assertions.Expect(grants.Locator("tr").Filter(new() { HasText = "summer help" })).ToContainTextAsync("Garden gate");

        await grants.Locator("[data-test=edit-grant-button]").ClickAsync();
        var edit = page.Locator("[data-test=edit-grant]");
        await edit.GetByText("Whole site", new() { Exact = true }).ClickAsync();
        await edit.Locator("[data-test=create-grant]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Grant saved.")).ToBeVisibleAsync();
        await Assertions.Expect(grants.Locator("tr").Filter(new() { HasText = "summer help" })).ToContainTextAsync("the whole site");
        var saved = (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/people/{person}/grants")).GetProperty("items");
        Assert.Equal(1, saved.GetArrayLength());
        Assert.True(saved[0].GetProperty("siteWide").GetBoolean());
    }
}
