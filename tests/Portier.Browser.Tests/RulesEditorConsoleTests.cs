using System.Text.Json;
using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>The access rules screen as the manual describes it: values picked from the site's people, friendly status labels, the operating-hours switch, and event policies' temporary authorization.</summary>
public sealed class RulesEditorConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private async Task<string> SiteWithPeopleAsync(string name, params (string Type, string Status)[] people)
    {
        var site = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name, timeZone = "Europe/Paris" })).GetProperty("id").GetString()!;
        foreach (var (type, status) in people)
            await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = $"{type} {status}", personType = type, membershipStatus = status });
        return site;
    }

    private async Task<JsonElement> SavedRulesAsync(string site) =>
        (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/sites/{site}")).GetProperty("rules");

    private static async Task SaveAsync(IPage page)
    {
        await page.Locator("[data-test=save]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Saved.")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=save-bar]")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task SiteRules_StatusesPickedFromPeople_NewOneTyped_UnknownValuesWarned()
    {
        var site = await SiteWithPeopleAsync("Pick Gym", ("Member", "Active"), ("Member", "on_hold"), ("Staff", "Current"));
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/sites/{site}");
        var rules = page.Locator("[data-test=site-rules]");
        await rules.Locator("[data-test=add-type-rule]").ClickAsync();
        var rule = rules.Locator("[data-test=type-rule]");
        await Assertions.Expect(rule.Locator("[data-test=status]")).ToHaveTextAsync(["Active", "Current"]);
        await Assertions.Expect(rule.Locator("[data-test=not-carried]")).ToHaveCountAsync(0);

        // A status the site's people carry, found by its friendly label; its stored value stays the code.
        await ConsoleDriver.ChooseAsync(page, "Add status", "hold", "On hold", rule);
        await Assertions.Expect(rule.Locator("[data-test=status][data-status=on_hold]")).ToHaveTextAsync("On hold");
        // A new one nobody carries yet is still accepted, and flagged.
        await ConsoleDriver.ChooseAsync(page, "Add status", "Gold", "Add ‘Gold’", rule);
        await Assertions.Expect(rule.Locator("[data-test=status][data-status=Gold] [data-test=not-carried]")).ToHaveTextAsync("no one has this status yet");
        await Assertions.Expect(rule.Locator("[data-test=not-carried]")).ToHaveCountAsync(1);

        // A type typed in another case than the people's: rules compare exactly, so their spelling is offered.
        var type = rule.GetByLabel("Person type", new() { Exact = true });
        await type.FillAsync("staff");
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveTextAsync(["Staff"]);
        await page.Keyboard.PressAsync("Escape");
        await type.BlurAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await rule.Locator("[data-test=carried-as]").ClickAsync();
        await Assertions.Expect(rule.GetByLabel("Person type", new() { Exact = true })).ToHaveValueAsync("Staff");
        await Assertions.Expect(rule.Locator("[data-test=carried-as]")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, "site-rules-picked");
        await SaveAsync(page);

        var saved = (await SavedRulesAsync(site)).GetProperty("personTypeRules").EnumerateArray().Single();
        Assert.Equal("Staff", saved.GetProperty("personType").GetString());
        Assert.Equal(["Active", "Current", "on_hold", "Gold"], saved.GetProperty("statuses").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task SiteRules_HoursSwitch_OnAddsTheDefaultBlock_OffSavesNoHours()
    {
        var site = await SiteWithPeopleAsync("Hours Gym");
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/sites/{site}");
        var rules = page.Locator("[data-test=site-rules]");
        var limit = rules.GetByRole(AriaRole.Switch, new() { Name = "Limit to operating hours" });
        await Assertions.Expect(limit).Not.ToBeCheckedAsync();
        await Assertions.Expect(rules.Locator("[data-test=hours-always]")).ToHaveTextAsync("Always allowed: access at any time of day.");
        await Assertions.Expect(rules.Locator("[data-day]")).ToHaveCountAsync(0);

        await limit.CheckAsync();
        await Assertions.Expect(rules.Locator("[data-test=hours-no-block]")).ToBeVisibleAsync();
        var monday = rules.Locator("[data-day=Monday]");
        await monday.Locator("[data-test=add-block]").ClickAsync();
        await Assertions.Expect(monday.Locator("input[data-test=start]")).ToHaveValueAsync("06:00");
        await Assertions.Expect(monday.Locator("input[data-test=end]")).ToHaveValueAsync("22:00");
        await Assertions.Expect(rules.Locator("[data-day=Tuesday]")).ToContainTextAsync("closed");
        await SaveAsync(page);
        var hours = (await SavedRulesAsync(site)).GetProperty("hours").EnumerateArray().Single();
        Assert.Equal(("monday", "06:00", "22:00"), (hours.GetProperty("day").GetString(), hours.GetProperty("start").GetString(), hours.GetProperty("end").GetString()));

        // Back on the page the switch shows the saved week; switched off, the rules carry no hours at all (always).
        await page.ReloadAsync();
        await Assertions.Expect(limit).ToBeCheckedAsync();
        await Assertions.Expect(monday.Locator("input[data-test=start]")).ToHaveValueAsync("06:00");
        await limit.UncheckAsync();
        await Assertions.Expect(rules.Locator("[data-day]")).ToHaveCountAsync(0);
        await SaveAsync(page);
        Assert.Equal(0, (await SavedRulesAsync(site)).GetProperty("hours").GetArrayLength());
    }

    [Fact]
    public async Task Grant_HoursSwitch_SameEditor_SavesTheBlocksOnAndNothingOff()
    {
        var site = await SiteWithPeopleAsync("Grant Hours Gym");
        var door = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Back door" })).GetProperty("id").GetString();
        var person = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Hana Hours" })).GetProperty("id").GetString();
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/grants", new { personId = person, doorIds = new[] { door }, note = "cleaning" });
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/people/{person}");
        var grants = page.Locator("[data-test=grants]");
        await grants.Locator("[data-test=edit-grant-button]").ClickAsync();
        var edit = page.Locator("[data-test=edit-grant]");
        var limit = edit.GetByRole(AriaRole.Switch, new() { Name = "Only during certain hours" });
        await Assertions.Expect(limit).Not.ToBeCheckedAsync();

        await limit.CheckAsync();
        await edit.Locator("[data-day=Friday] [data-test=add-block]").ClickAsync();
        await edit.Locator("[data-test=create-grant]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Grant saved.")).ToBeVisibleAsync();
        var row = grants.Locator("tr").Filter(new() { HasText = "cleaning" });
        await Assertions.Expect(row).ToContainTextAsync("Friday 06:00-22:00");
        var hours = (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/people/{person}/grants")).GetProperty("items")[0].GetProperty("hours").EnumerateArray().Single();
        Assert.Equal(("friday", "06:00", "22:00"), (hours.GetProperty("day").GetString(), hours.GetProperty("start").GetString(), hours.GetProperty("end").GetString()));

        await grants.Locator("[data-test=edit-grant-button]").ClickAsync();
        await Assertions.Expect(limit).ToBeCheckedAsync();
        await limit.UncheckAsync();
        await edit.Locator("[data-test=create-grant]").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("any time");
        Assert.Equal(0, (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/people/{person}/grants")).GetProperty("items")[0].GetProperty("hours").GetArrayLength());
    }

    [Fact]
    public async Task EventPolicy_TemporaryAuthorization_PickedFromTheValuesInUse()
    {
        var site = await SiteWithPeopleAsync("Authorization Hall");
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId = site, name = "Studio" });
        var provider = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/providers", new { siteId = site, name = "Portier doors", kind = "built_in" })).GetProperty("id").GetString();
        var zone = (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/providers/{provider}/zones")).EnumerateArray().First().GetProperty("id").GetString();
        var first = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/event-series", new { siteId = site, name = "Pottery" })).GetProperty("id").GetString();
        await fixture.ApiAsync(HttpMethod.Post, $"/api/v1/event-series/{first}/policies", new { zoneId = zone, minutesBefore = 30, minutesAfter = 15, temporaryAuthorization = "Studio Pass" });
        var second = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/event-series", new { siteId = site, name = "Weaving" })).GetProperty("id").GetString();

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/events/{second}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Access Control" }).ClickAsync();
        await page.Locator("[data-test=add-policy]").ClickAsync();
        var editor = page.Locator("[data-test=policy-editor]");
        await ConsoleDriver.PickAsync(page, "Zone", "Door: Studio", editor);
        await editor.GetByText("Grant temporary authorization").ClickAsync();
        await ConsoleDriver.ChooseAsync(page, "Authorization", "stud", "Studio Pass", editor);
        await editor.Locator("[data-test=save-policy]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-test=policies]")).ToContainTextAsync("Studio Pass");
        var policy = (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/event-series/{second}/policies")).EnumerateArray().Single();
        Assert.Equal("Studio Pass", policy.GetProperty("temporaryAuthorization").GetString());
    }
}
