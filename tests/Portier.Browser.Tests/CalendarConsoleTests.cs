using Microsoft.Playwright;

namespace Portier.Browser.Tests;

/// <summary>Closing a site for a holiday from the console, and the explainer saying so.</summary>
public sealed class CalendarConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task Calendar_ClosedDayAddedInConsole_ExplainerRefusesWithHolidayClosed()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new
        {
            name = "Holiday Gym",
            timeZone = "Europe/Berlin",
            rules = new { personTypeRules = new[] { new { personType = "Member", statuses = Array.Empty<string>() } } },
        });
        var siteId = site.GetProperty("id").GetString();
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId, name = "Gym entrance" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId, name = "Hana Member", personType = "Member", membershipStatus = "active" });
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var today = TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), berlin).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/calendars?site={siteId}");
        var form = page.Locator("[data-test=calendar-form]");
        await ConsoleDriver.FillAsync(page, "Name", "Gym holidays", form);
        await form.Locator("[data-test=create-calendar]").ClickAsync();
        await page.WaitForURLAsync("**/console/calendars/*");

        var entry = page.Locator("[data-test=entry-form]");
        await ConsoleDriver.FillAsync(page, "Name", "Founders' day", entry);
        await ConsoleDriver.FillAsync(page, "First day (yyyy-MM-dd)", today, entry);
        await entry.Locator("[data-test=add-entry]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Day added.")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=calendar-entries]")).ToContainTextAsync("Founders' day");
        await Assertions.Expect(page.Locator("[data-test=calendar-entries]")).ToContainTextAsync("Closed");
        await Browser.ScreenshotAsync(page, "calendar");

        await page.GotoAsync($"/console/calendars?site={siteId}");
        await Assertions.Expect(page.Locator("[data-test=calendars]")).ToContainTextAsync("Founders' day");

        await page.GotoAsync($"/console/explain?site={siteId}");
        var explain = page.Locator("[data-test=explain-form]");
        await ConsoleDriver.PickAsync(page, "Door", "Gym entrance", explain);
        var picker = explain.GetByLabel("Person", new() { Exact = true });
        await picker.FillAsync("Hana");
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Hana" }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await ConsoleDriver.FillAsync(page, "Time (HH:mm)", "12:00", explain);
        await page.Locator("[data-test=explain-run]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=explain-reason]")).ToHaveAttributeAsync("data-code", "holiday_closed");
        await Assertions.Expect(page.Locator("[data-test=explain-result]")).ToContainTextAsync("The site is closed today for a holiday.");
        await Assertions.Expect(page.Locator("[data-test=explain-checks]")).ToContainTextAsync("Founders' day");
        await Browser.ScreenshotAsync(page, "explainer-holiday");
    }
}
