using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;

namespace Portier.Browser.Tests;

/// <summary>What a person reads: codes in words (the code on hover), times on the site's clock with its zone named, honest copy.</summary>
public sealed class PlainWordsConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private const string Refusal = "No rule or grant allows this person here";

    private async Task<(string Site, string Door)> SiteWithDoorAsync(string name, string door)
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name, timeZone = "Europe/Berlin" });
        var siteId = site.GetProperty("id").GetString()!;
        var created = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId, name = door });
        return (siteId, created.GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task RefusedAttempt_InAccessLogAndDashboard_ReadsInWordsWithTheCodeOnHoverAndTheSiteClock()
    {
        var (site, door) = await SiteWithDoorAsync("Wording Works", "Wording door");
        // A whole second a few minutes ago, so the row's time can be written out exactly.
        var now = TimeProvider.System.GetUtcNow();
        var at = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddMinutes(-3);
        await fixture.Server.Services.GetRequiredService<AccessEventWriter>().AppendAsync(new AccessEvent
        {
            SiteId = Guid.Parse(site), DoorId = Guid.Parse(door), Method = AccessMethod.Scan, CredentialKind = CredentialKind.Pin,
            PresentedValue = "1234", At = NodaTime.Instant.FromDateTimeOffset(at), Allowed = false,
            Reason = EventReason.Of(ReasonCode.NoMatchingRuleOrGrant), Path = DecisionPath.None, Outcome = ActuationOutcome.NotSent,
        }, TestContext.Current.CancellationToken);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var shown = TimeZoneInfo.ConvertTime(at, berlin).ToString("d MMM yyyy, HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/access-log?site={site}");
        var log = page.Locator("[data-test=access-log]");
        var reason = log.Locator("[data-test=log-reason]");
        await Assertions.Expect(reason).ToHaveTextAsync(Refusal);
        await Assertions.Expect(reason).ToHaveAttributeAsync("title", "no_matching_rule_or_grant");
        await Assertions.Expect(log).Not.ToContainTextAsync("no_matching_rule_or_grant");
        await Assertions.Expect(log).Not.ToContainTextAsync("NotSent");
        await Assertions.Expect(log).ToContainTextAsync("Nothing sent to the door");
        await Assertions.Expect(log).ToContainTextAsync("PIN");
        await Assertions.Expect(log).ToContainTextAsync(shown);
        await Assertions.Expect(page.Locator("[data-test=site-zone]")).ToHaveTextAsync("Times in Europe/Berlin");
        await reason.HoverAsync();
        await Browser.ScreenshotAsync(page, "access-log-plain-words");

        await page.GotoAsync($"/console?site={site}");
        var denied = page.Locator("[data-stat='Denied (24 h)'] [data-test=stat-detail]");
        await Assertions.Expect(denied).ToHaveTextAsync($"mostly: {Refusal}");
        await Assertions.Expect(denied).ToHaveAttributeAsync("title", "no_matching_rule_or_grant");
        await Assertions.Expect(page.Locator("main, .mud-main-content").First).Not.ToContainTextAsync("no_matching_rule_or_grant");
        await Assertions.Expect(page.Locator("[data-test=site-zone]")).ToHaveTextAsync("Times in Europe/Berlin");
    }

    [Fact]
    public async Task Invites_NoneYet_SaysSoAndHowToCreateOne_WithFiltersClearOfTheHeaders()
    {
        var (site, _) = await SiteWithDoorAsync("Quiet Reception", "Lobby");
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/invites?site={site}");

        var empty = page.Locator("[data-test=invites-empty]");
        await Assertions.Expect(empty).ToContainTextAsync("No access invites yet.");
        await Assertions.Expect(empty).ToContainTextAsync("Create one with New access invite");
        await Assertions.Expect(page.Locator("[data-test=invites]")).Not.ToContainTextAsync("No invite matches");

        // The sort box sits above the column headers, not over them.
        var sort = await page.Locator("[data-test=invite-filters]").BoundingBoxAsync();
        var headers = await page.Locator("[data-test=invites] thead").BoundingBoxAsync();
        Assert.NotNull(sort);
        Assert.NotNull(headers);
        Assert.True(sort.Y + sort.Height <= headers.Y, $"filters end at {sort.Y + sort.Height}, headers start at {headers.Y}");
        await Browser.ScreenshotAsync(page, "invites-empty");
    }

    [Fact]
    public async Task DoorAndPerson_ShowWhatIsTrue_InheritedRulesNeverUnlockingScheduleAndNoSourceToSync()
    {
        var (site, door) = await SiteWithDoorAsync("Truthful Hall", "Truth door");
        var person = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Manny Manual" });
        var page = await fixture.AdminPageAsync();

        await page.GotoAsync($"/console/doors?site={site}");
        await Assertions.Expect(page.Locator("[data-test=doors]")).ToContainTextAsync("inherits");
        await page.GotoAsync($"/console/doors/{door}");
        await Assertions.Expect(page.GetByRole(AriaRole.Switch, new() { Name = "Inherits the rules of its access scope or the site", Exact = true })).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("[data-test=site-zone]")).ToHaveTextAsync("Times in Europe/Berlin");
        var schedule = page.Locator("[data-test=auto-unlock]");
        await Assertions.Expect(schedule.Locator("[data-test=hours-empty-meaning]")).ToContainTextAsync("No block on any day means the schedule never unlocks the door.");
        await Assertions.Expect(schedule).Not.ToContainTextAsync("always open");

        await page.GotoAsync($"/console/people/{person.GetProperty("id").GetString()}");
        var track = page.GetByRole(AriaRole.Switch, new() { Name = "Keep in sync with its source (added manually: no source)", Exact = true });
        await Assertions.Expect(track).Not.ToBeCheckedAsync();
        await Assertions.Expect(track).ToBeDisabledAsync();
    }
}
