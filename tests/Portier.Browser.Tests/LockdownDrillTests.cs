using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>
/// Lockdown and evacuation run from the console: a drill started with confirmation, announced on every page,
/// a responder gets in, someone else is refused, ended; an evacuation's muster list names who came in and
/// did not leave, and marshals tick them off.
/// </summary>
public sealed class LockdownDrillTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task Drill_StartedFromTheConsole_ResponderPasses_OthersRefused_ThenEnded()
    {
        var site = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new
        {
            name = "Drill Hall",
            timeZone = "Europe/London",
            rules = new { personTypeRules = new[] { new { personType = "Member", statuses = Array.Empty<string>() } } },
        })).GetProperty("id").GetString()!;
        var door = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Main entrance" })).GetProperty("id").GetString()!;
        var member = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Mia Member", personType = "Member" })).GetProperty("id").GetString()!;
        var guard = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Gus Guard", personType = "Member", customTags = new[] { "responder" } }))
            .GetProperty("id").GetString()!;
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/credentials", new { personId = member, kind = "card", value = "0D0D0001" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/credentials", new { personId = guard, kind = "card", value = "0D0D0002" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/lockdowns", new { siteId = site, name = "Drill", kind = "lockdown", target = "site", responderTags = new[] { "responder" } });
        await using var controller = await DoorController.PairAsync(fixture, door);

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/lockdowns?site={site}");
        var plans = page.Locator("[data-test=plans]");
        await Assertions.Expect(plans).ToContainTextAsync("Drill");
        await plans.Locator("[data-test=start-plan]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
        await Assertions.Expect(plans.Locator("[data-test=plan-state]")).ToContainTextAsync("active since");
        await Assertions.Expect(page.Locator("[data-test=lockdown-banner]")).ToContainTextAsync("LOCKDOWN");

        await page.GotoAsync($"/console/doors/{door}");
        await Assertions.Expect(page.Locator("[data-test=lockdown-banner]")).ToContainTextAsync("Drill");
        await Assertions.Expect(page.Locator("[data-test=door-lockdown]")).ToContainTextAsync("lockdown: Drill");

        await page.GotoAsync($"/console/access-log?site={site}");
        var log = page.Locator("[data-test=access-log]");
        await controller.ScanAsync("0D0D0002");
        await Assertions.Expect(log).ToContainTextAsync("Gus Guard", new() { Timeout = 10_000 });
        await controller.ScanAsync("0D0D0001");
        await Assertions.Expect(log).ToContainTextAsync("Mia Member", new() { Timeout = 10_000 });
        await Assertions.Expect(log.Locator("tr").Filter(new() { HasText = "Mia Member" }).First).ToContainTextAsync("Lockdown in force");
        await Assertions.Expect(log.Locator("tr").Filter(new() { HasText = "Gus Guard" }).First).ToContainTextAsync("granted");
        await Browser.ScreenshotAsync(page, "lockdown-drill-log");

        await page.GotoAsync($"/console/lockdowns?site={site}");
        await page.Locator("[data-test=end-plan]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "End" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=plan-state]")).ToContainTextAsync("inactive");
        await Assertions.Expect(page.Locator("[data-test=lockdown-banner]")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
    }

    [Fact]
    public async Task Evacuation_MusterListNamesWhoCameIn_MarshalAccountsForThem()
    {
        var site = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new
        {
            name = "Muster Works",
            timeZone = "Europe/London",
            rules = new { personTypeRules = new[] { new { personType = "Member", statuses = Array.Empty<string>() } } },
        })).GetProperty("id").GetString()!;
        var door = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Works entrance", direction = "in" })).GetProperty("id").GetString()!;
        var worker = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Wren Worker", personType = "Member" })).GetProperty("id").GetString()!;
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Otto Outside", personType = "Member" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/credentials", new { personId = worker, kind = "card", value = "0E0E0001" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/lockdowns", new { siteId = site, name = "Fire", kind = "evacuation", target = "site" });
        await using var controller = await DoorController.PairAsync(fixture, door);

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/access-log?site={site}");
        await controller.ScanAsync("0E0E0001");
        await Assertions.Expect(page.Locator("[data-test=access-log] tbody tr").Filter(new() { HasText = "Wren Worker" })).ToContainTextAsync("granted", new() { Timeout = 10_000 });

        await page.GotoAsync($"/console/lockdowns?site={site}");
        var plans = page.Locator("[data-test=plans]");
        await plans.Locator("[data-test=start-plan]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
        await Assertions.Expect(plans.Locator("[data-test=plan-state]")).ToContainTextAsync("active since");
        await Assertions.Expect(page.Locator("[data-test=lockdown-banner]")).ToContainTextAsync("Fire");

        await plans.Locator("[data-test=show-muster]").ClickAsync();
        var muster = page.Locator("[data-test=muster]");
        await Assertions.Expect(muster).ToContainTextAsync("Wren Worker");
        await Assertions.Expect(muster).Not.ToContainTextAsync("Otto Outside");
        await Assertions.Expect(muster.Locator("[data-test=muster-count]")).ToHaveTextAsync("0 of 1 accounted for");
        await muster.Locator("[data-test=account]").ClickAsync();
        await Assertions.Expect(muster.Locator("[data-test=muster-count]")).ToHaveTextAsync("1 of 1 accounted for");
        await Assertions.Expect(muster).ToContainTextAsync("by ");
        await Browser.ScreenshotAsync(page, "evacuation-muster");

        await plans.Locator("[data-test=end-plan]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "End" }).ClickAsync();
        await Assertions.Expect(plans.Locator("[data-test=plan-state]")).ToContainTextAsync("inactive");
    }
}
