using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>The two-person rule set on the door page, then two people at the reader: the first waits, the log shows the opening with both names.</summary>
public sealed class TwoPersonConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task ServerRoom_RuleSetOnTheDoorPage_FirstWaits_SecondOpens_LogNamesBoth()
    {
        var site = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new
        {
            name = "Data Centre",
            timeZone = "Europe/Berlin",
            rules = new { personTypeRules = new[] { new { personType = "Member", statuses = Array.Empty<string>() } } },
        })).GetProperty("id").GetString()!;
        var door = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Server room" })).GetProperty("id").GetString()!;
        foreach (var (name, card) in new[] { ("Ada Admin", "2B2B0001"), ("Cleo Coder", "2B2B0002") })
        {
            var person = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name, personType = "Member" })).GetProperty("id").GetString()!;
            await fixture.ApiAsync(HttpMethod.Post, "/api/v1/credentials", new { personId = person, kind = "card", value = card });
        }
        await using var controller = await DoorController.PairAsync(fixture, door);

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/doors/{door}");
        await page.Locator("[data-test=door-two-person]").ClickAsync();
        var window = page.GetByRole(AriaRole.Spinbutton, new() { Name = "Second person within (s)", Exact = true });
        await Assertions.Expect(window).ToHaveValueAsync("10");
        await window.FillAsync("60");
        await window.BlurAsync();
        await page.Locator("[data-test=save]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=save-bar]")).ToBeHiddenAsync();
        Assert.Equal(60, (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/doors/{door}")).GetProperty("twoPerson").GetProperty("windowSeconds").GetInt32());
        await Browser.ScreenshotAsync(page, "door-two-person-rule");

        await page.GotoAsync($"/console/access-log?site={site}");
        var log = page.Locator("[data-test=access-log]");
        await controller.ScanAsync("2B2B0001");
        await Assertions.Expect(log.Locator("tr").Filter(new() { HasText = "Ada Admin" }).First).ToContainTextAsync("Waiting for a second person", new() { Timeout = 10_000 });
        await controller.ScanAsync("2B2B0002");
        var opening = log.Locator("tr").Filter(new() { HasText = "Cleo Coder" }).First;
        await Assertions.Expect(opening).ToContainTextAsync("granted", new() { Timeout = 10_000 });
        await Assertions.Expect(opening.Locator("[data-test=companion]")).ToContainTextAsync("with Ada Admin");
        await Browser.ScreenshotAsync(page, "two-person-access-log");
    }
}
