using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>A workshop door that only trained members open: the qualification made, imported and granted from the console, and the explainer agreeing.</summary>
public sealed class QualificationConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task Qualification_CreatedImportedAndGrantedInConsole_ExplainerRefusesUntilHeld()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new
        {
            name = "Maker Lab",
            timeZone = "Europe/Berlin",
            rules = new { personTypeRules = new[] { new { personType = "Member", statuses = Array.Empty<string>() } } },
        });
        var siteId = site.GetProperty("id").GetString();
        var door = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId, name = "Workshop door" })).GetProperty("id").GetString();
        var person = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId, name = "Lina Maker", personType = "Member", membershipStatus = "active", externalId = "lina-1" }))
            .GetProperty("id").GetString();
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId, name = "Omar Maker", personType = "Member", membershipStatus = "active", externalId = "omar-1" });

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/qualifications?site={siteId}");
        var form = page.Locator("[data-test=qualification-form]");
        await ConsoleDriver.FillAsync(page, "Name", "Laser cutter", form);
        await ConsoleDriver.FillAsync(page, "Valid for (days, empty = no expiry)", "365", form);
        await form.Locator("[data-test=create-qualification]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Qualification created.")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=qualifications]")).ToContainTextAsync("365 days");

        // The CSV import previews every row before anything is written (a file with errors imports nothing: the server tests show it).
        await page.Locator("[data-test=qualification-import] input[type=file]").First.SetInputFilesAsync(new FilePayload
        {
            Name = "training.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes("externalId,qualification,expiresAt\nomar-1,Laser cutter,2030-06-30\n"),
        });
        await Assertions.Expect(page.Locator("[data-test=import-summary]")).ToContainTextAsync("Preview (nothing written yet): 1 to grant, 0 to renew, 0 with errors");
        await Assertions.Expect(page.Locator("[data-test=import-rows]")).ToContainTextAsync("Omar Maker");
        await page.Locator("[data-test=import-commit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=import-summary]")).ToContainTextAsync("Imported: 1 to grant");
        await Assertions.Expect(page.Locator("[data-test=qualifications]")).ToContainTextAsync("Laser cutter");
        await Browser.ScreenshotAsync(page, "qualifications");

        // The workshop door requires the qualification.
        await page.GotoAsync($"/console/doors/{door}");
        await ConsoleDriver.PickManyAsync(page, "Required qualifications", ["Laser cutter"]);
        await page.Locator("[data-test=save]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Saved.")).ToBeVisibleAsync();

        async Task ExplainAsync(string reason)
        {
            await page.GotoAsync($"/console/explain?site={siteId}");
            var explain = page.Locator("[data-test=explain-form]");
            await ConsoleDriver.PickAsync(page, "Door", "Workshop door", explain);
            var picker = explain.GetByLabel("Person", new() { Exact = true });
            await picker.FillAsync("Lina");
            await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Lina" }).First.ClickAsync();
            await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
            await page.Locator("[data-test=explain-run]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-test=explain-reason]")).ToHaveAttributeAsync("data-code", reason);
            await Assertions.Expect(page.Locator("[data-test=explain-checks]")).ToContainTextAsync("Laser cutter");
        }

        await ExplainAsync("qualification_missing");

        await page.GotoAsync($"/console/people/{person}");
        var section = page.Locator("[data-test=person-qualifications]");
        await ConsoleDriver.PickAsync(page, "Qualification", "Laser cutter", section);
        await section.Locator("[data-test=grant-qualification]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Qualification granted.")).ToBeVisibleAsync();
        await Assertions.Expect(section).ToContainTextAsync("Laser cutter");
        await Assertions.Expect(section.Locator("[data-test=qualification-state]")).ToHaveTextAsync("valid");
        await Browser.ScreenshotAsync(page, "person-qualifications");

        // Held now: the qualifications check passes (naming it), and the next check refuses the door without a controller.
        await ExplainAsync("device_offline");
        await Assertions.Expect(page.Locator("[data-test=explain-checks]")).ToContainTextAsync("holds Laser cutter");
    }
}
