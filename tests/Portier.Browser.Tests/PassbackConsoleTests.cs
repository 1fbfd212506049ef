using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>
/// Anti-passback set from the console: a second entry without an exit is refused and marked in the access
/// log, and forgiving the person from the zone's form lets them in again.
/// </summary>
public sealed class PassbackConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task HardPassback_SecondEntryRefusedAndMarked_ForgivenPersonEntersAgain()
    {
        var site = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new
        {
            name = "Passback Gym",
            timeZone = "Europe/Berlin",
            rules = new { personTypeRules = new[] { new { personType = "Member", statuses = Array.Empty<string>() } } },
        })).GetProperty("id").GetString()!;
        var zone = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/zones", new { siteId = site, name = "Gym floor" })).GetProperty("id").GetString()!;
        var door = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Turnstile", zoneId = zone, direction = "in" })).GetProperty("id").GetString()!;
        var member = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Pia Passback", personType = "Member" })).GetProperty("id").GetString()!;
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/credentials", new { personId = member, kind = "card", value = "0B0B0001" });
        await using var controller = await DoorController.PairAsync(fixture, door);

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/zones?site={site}");
        var row = page.Locator("[data-test=zones] tr").Filter(new() { HasText = "Gym floor" });
        await row.Locator("[data-test=edit-passback]").ClickAsync();
        var form = page.Locator("[data-test=passback-form]");
        await ConsoleDriver.PickAsync(page, "Mode", "hard", form);
        await form.Locator("[data-test=save-passback]").ClickAsync();
        await Assertions.Expect(row.Locator("[data-test=zone-passback]")).ToHaveTextAsync("hard");

        await page.GotoAsync($"/console/access-log?site={site}");
        var log = page.Locator("[data-test=access-log]");
        var attempts = log.Locator("tbody tr").Filter(new() { HasText = "Pia Passback" });
        await controller.ScanAsync("0B0B0001");
        await Assertions.Expect(attempts).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await controller.ScanAsync("0B0B0001");
        await Assertions.Expect(attempts).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        await Assertions.Expect(attempts.First).ToContainTextAsync("Anti-passback: already inside or back too soon");
        await Assertions.Expect(attempts.First.Locator("[data-test=passback-violation]")).ToContainTextAsync("entry without exit");
        await Assertions.Expect(attempts.Nth(1)).ToContainTextAsync("granted");
        await Browser.ScreenshotAsync(page, "passback-violation-log");

        await page.GotoAsync($"/console/zones?site={site}");
        await row.Locator("[data-test=edit-passback]").ClickAsync();
        var picker = form.GetByLabel("Forgive one person", new() { Exact = true });
        await picker.FillAsync("Pia");
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Pia Passback" }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await form.Locator("[data-test=forgive-one]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Pia Passback forgiven")).ToBeVisibleAsync();

        await page.GotoAsync($"/console/access-log?site={site}");
        await controller.ScanAsync("0B0B0001");
        await Assertions.Expect(attempts).ToHaveCountAsync(3, new() { Timeout = 10_000 });
        await Assertions.Expect(attempts.First).ToContainTextAsync("granted");
    }
}
