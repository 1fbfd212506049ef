using Portier.Core.Decisions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;

namespace Portier.Browser.Tests;

public sealed class ConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task Journey_SiteRulesDoorPersonGrant_ExplainerShowsEveryCheck()
    {
        var page = await fixture.AdminPageAsync();

        // A site with a person-type rule and two time blocks, copied to every day.
        await page.GotoAsync("/console/sites");
        var form = page.Locator("[data-test=new-site]");
        await ConsoleDriver.FillAsync(page, "Name", "Harbor Gym", form);
        await form.GetByRole(AriaRole.Button, new() { Name = "Create site" }).ClickAsync();
        await page.WaitForURLAsync("**/console/sites/*");
        await Assertions.Expect(page.Locator("[data-test=site-clock]")).ToContainTextAsync("Europe/Berlin");

        var rules = page.Locator("[data-test=site-rules]");
        await rules.Locator("[data-test=add-type-rule]").ClickAsync();
        await ConsoleDriver.ChooseAsync(page, "Add status", "active", "Add ‘active’", rules);
        await rules.GetByRole(AriaRole.Switch, new() { Name = "Limit to operating hours" }).CheckAsync();
        var monday = rules.Locator("[data-day=Monday]");
        await monday.Locator("[data-test=add-block]").ClickAsync();
        await SetBlockAsync(monday, 0, "06:00", "12:00");
        await monday.Locator("[data-test=add-block]").ClickAsync();
        await SetBlockAsync(monday, 1, "13:00", "22:00");
        await monday.Locator("[data-test=copy-all]").ClickAsync();
        await Assertions.Expect(rules.Locator("[data-day=Sunday] input[data-test=end]").Nth(1)).ToHaveValueAsync("22:00");
        await Assertions.Expect(page.Locator("[data-test=save-bar]")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "site-rules-unsaved");
        await page.GetByRole(AriaRole.Link, new() { Name = "Doors" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Leave this page and lose your changes?")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Stay" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=save-bar]")).ToBeVisibleAsync();
        Assert.Contains("/console/sites/", page.Url, StringComparison.Ordinal);
        await page.Locator("[data-test=save]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Saved.")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=save-bar]")).ToBeHiddenAsync();

        // A door, then two people; Bob gets a grant for the door.
        await page.GotoAsync("/console/doors");
        var doorForm = page.Locator("[data-test=new-door]");
        await ConsoleDriver.FillAsync(page, "Name", "Front door", doorForm);
        await doorForm.GetByRole(AriaRole.Button, new() { Name = "Create door" }).ClickAsync();
        await page.WaitForURLAsync("**/console/doors/*");
        await Assertions.Expect(page.GetByRole(AriaRole.Switch, new() { Name = "Inherits the rules of its access scope or the site", Exact = true })).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("[data-test=door-status]")).ToHaveTextAsync("no controller");
        await page.Locator("[data-test=add-controller]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=pairing-value]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\S{6,}"));
        await Browser.ScreenshotAsync(page, "door");

        await AddPersonAsync(page, "Ada Member", "ada@harbor.example", "Member", "active");
        await AddPersonAsync(page, "Bob Staff", "bob@harbor.example", "Staff", "");
        await page.GetByText("Add a grant", new() { Exact = true }).ClickAsync();
        var grantForm = page.Locator("[data-test=grants]");
        // A multi-select: tick, close its list, and see the tick arrive before adding the grant.
        await ConsoleDriver.PickManyAsync(page, "Doors", ["Front door"], grantForm);
        await Assertions.Expect(grantForm.GetByLabel("Doors", new() { Exact = true })).ToHaveValueAsync("Front door");
        await grantForm.Locator("[data-test=create-grant]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Grant added.")).ToBeVisibleAsync();
        await Assertions.Expect(grantForm.Locator("table")).ToContainTextAsync("Front door");
        await Browser.ScreenshotAsync(page, "person");

        // The explainer: Ada's rule matches but 12:30 falls between the blocks; at 10:00 the rule
        // passes and the door, which has no live controller, is what stops her.
        await page.GotoAsync("/console/explain");
        await ExplainAsync(page, "Ada", "Front door", "12:30");
        await Browser.ScreenshotAsync(page, "explainer-denied");
        await Assertions.Expect(page.Locator("[data-test=explain-at]")).ToContainTextAsync("12:30");
        await Assertions.Expect(page.Locator("[data-test=explain-outcome]")).ToHaveTextAsync("Denied");
        await Assertions.Expect(page.Locator("[data-test=explain-reason]")).ToHaveTextAsync("Outside access hours");
        await Assertions.Expect(page.Locator("[data-test=explain-reason]")).ToHaveAttributeAsync("title", "outside_access_hours");
        await Assertions.Expect(page.Locator("[data-test=explain-result]")).ToContainTextAsync("You have access here, but not at this time of day.");

        await ConsoleDriver.FillAsync(page, "Time (HH:mm)", "10:00");
        await page.Locator("[data-test=explain-run]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=explain-reason]")).ToHaveAttributeAsync("data-code", "device_offline");
        await Assertions.Expect(page.Locator("[data-test=explain-checks]")).ToContainTextAsync("passed");
        await Browser.ScreenshotAsync(page, "explainer");
    }

    [Fact]
    public async Task MemberApp_PhoneSignInWithMailedCode_ShowsMyDoors()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Member Club", timeZone = "Europe/Lisbon" });
        var siteId = site.GetProperty("id").GetString();
        var door = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId, name = "Pool gate" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId, name = "Staff room" });
        var person = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId, name = "Mia Member", email = "mia@club.example" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/grants", new
        {
            personId = person.GetProperty("id").GetString(),
            doorIds = new[] { door.GetProperty("id").GetString() },
        });

        var phone = await fixture.Browser.NewPageAsync(fixture.Server.BaseAddress, phone: true);
        await phone.GotoAsync($"/app?site={siteId}");
        await phone.Locator("#email").FillAsync("mia@club.example");
        await phone.Locator("#send-code").ClickAsync();
        await Assertions.Expect(phone.Locator("#step-code")).ToBeVisibleAsync();
        await phone.Locator("#code").FillAsync(await fixture.Server.MailedCodeAsync("mia@club.example"));
        await phone.Locator("#verify").ClickAsync();

        await Assertions.Expect(phone.Locator("#greeting")).ToHaveTextAsync("Hello, Mia Member.");
        // Pool gate has no controller yet: listed, but not as a door to open now; Staff room is not listed at all.
        await Assertions.Expect(phone.Locator(".door-card")).ToHaveCountAsync(1);
        await Assertions.Expect(phone.Locator("#unavailable-doors .door-card")).ToContainTextAsync("Pool gate");
        await Assertions.Expect(phone.Locator("#no-doors")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(phone, "member-app");
    }

    [Fact]
    public async Task Console_AdminWithoutPermission_SeesNoAreaAndIsRefused()
    {
        var role = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/roles", new { name = "Front desk", permissions = new[] { "people:read", "sites:read" } });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/admins", new
        {
            email = "desk@harbor.example", name = "Dana Desk", password = "front desk password",
            roleIds = new[] { role.GetProperty("id").GetString() },
        });

        var page = await fixture.Browser.NewPageAsync(fixture.Server.BaseAddress);
        await ConsoleDriver.SignInAsync(page, "desk@harbor.example", "front desk password");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "People" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Doors" })).ToHaveCountAsync(0);

        await page.GotoAsync("/console/doors");
        await Assertions.Expect(page.GetByText("lacks the permission")).ToBeVisibleAsync();

        // The console cookie never authorizes the API: it still answers a 401 problem, not a redirect.
        var status = await page.EvaluateAsync<int>("async () => (await fetch('/api/v1/sites')).status");
        Assert.Equal(401, status);
    }

    [Fact]
    public async Task PeopleImport_PreviewShowsRowErrors_ThenImports()
    {
        // A site of its own: the test must not depend on another having created one first.
        var site = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Import Isle", timeZone = "Europe/Berlin" })).GetProperty("id").GetString();
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/people/import?site={site}");
        await Assertions.Expect(page.Locator("[data-test=site-picker]")).ToBeVisibleAsync();
        var csv = "name,email,externalId,personType\nCara Climber,cara@example.com,ext-1,Member\n,nobody@example.com,ext-2,Member\nDev Diver,dev@example.com,ext-3,Staff\n";
        await page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "members.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(csv),
        });
        await Assertions.Expect(page.Locator("[data-test=import-result]")).ToContainTextAsync("Preview");
        await Assertions.Expect(page.Locator("[data-test=import-errors]")).ToContainTextAsync("name");
        await Browser.ScreenshotAsync(page, "import-preview");

        await page.Locator("[data-test=import-commit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=import-result]")).ToContainTextAsync("Imported");
        await Assertions.Expect(page.Locator("[data-test=import-counts]")).ToContainTextAsync("2");
    }

    [Fact]
    public async Task MainPages_Render_AndAreCaptured()
    {
        // Its own site, so the pages show their content whichever test of the class ran first.
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Page Tour Gym", timeZone = "Europe/Berlin" });
        var page = await fixture.AdminPageAsync();
        foreach (var (path, name, marker) in new[]
        {
            ("/console", "dashboard", "Attempts by hour"),
            ("/console/sites", "sites", "Sites"),
            ("/console/doors", "doors", "Doors"),
            ("/console/zones", "zones", "Zones"),
            ("/console/scopes", "scopes", "Access scopes"),
            ("/console/people", "people", "People"),
            ("/console/devices", "devices", "Devices"),
            ("/console/access-log", "access-log", "Access log"),
        })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("main, .mud-main-content").First).ToContainTextAsync(marker);
            await page.WaitForTimeoutAsync(300);
            await Browser.ScreenshotAsync(page, name);
        }
    }

    [Fact]
    public async Task AccessLog_EventRecordedWhileOpen_AppearsWithoutReload()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Live Lobby", timeZone = "America/New_York" });
        var siteId = site.GetProperty("id").GetGuid();
        var door = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId, name = "Lobby turnstile", kind = "turnstile" });
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/access-log?site={siteId}");
        await Assertions.Expect(page.Locator("[data-test=access-log]")).ToContainTextAsync("No attempt matches.");

        // Recorded the way a scan's decision is recorded: through the access log writer.
        await fixture.Server.Services.GetRequiredService<AccessEventWriter>().AppendAsync(new AccessEvent
        {
            SiteId = siteId, DoorId = door.GetProperty("id").GetGuid(), Method = AccessMethod.Scan, CredentialKind = CredentialKind.Card,
            PresentedValue = "04A1B2C3", At = NodaTime.SystemClock.Instance.GetCurrentInstant(), Allowed = false,
            Reason = EventReason.Of(ReasonCode.InvalidCredential), Path = DecisionPath.None, Outcome = ActuationOutcome.NotSent,
        }, TestContext.Current.CancellationToken);

        await Assertions.Expect(page.Locator("[data-test=access-log]")).ToContainTextAsync("Card, code or PIN not recognised", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("[data-test=access-log]")).ToContainTextAsync("Lobby turnstile");
        await Browser.ScreenshotAsync(page, "access-log-live");
    }

    private static async Task SetBlockAsync(ILocator day, int index, string start, string end)
    {
        var from = day.Locator("input[data-test=start]").Nth(index);
        await from.FillAsync(start);
        await from.BlurAsync();
        var to = day.Locator("input[data-test=end]").Nth(index);
        await to.FillAsync(end);
        await to.BlurAsync();
    }

    private static async Task AddPersonAsync(IPage page, string name, string email, string type, string status)
    {
        await page.GotoAsync("/console/people");
        await page.GetByText("Add a person", new() { Exact = true }).ClickAsync();
        var form = page.Locator("[data-test=new-person]");
        await ConsoleDriver.FillAsync(page, "Name", name, form);
        await ConsoleDriver.FillAsync(page, "Email", email, form);
        await ConsoleDriver.FillAsync(page, "Person type", type, form);
        if (status.Length > 0) await ConsoleDriver.FillAsync(page, "Membership status", status, form);
        await form.Locator("[data-test=create-person]").ClickAsync();
        await page.WaitForURLAsync("**/console/people/*-*");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(name);
    }

    private static async Task ExplainAsync(IPage page, string person, string door, string time)
    {
        var form = page.Locator("[data-test=explain-form]");
        await ConsoleDriver.PickAsync(page, "Door", door, form);
        // The person only once its search list has closed: a search still pending when the field
        // loses focus would reopen the list and leave the field without a person.
        var picker = form.GetByLabel("Person", new() { Exact = true });
        await picker.FillAsync(person);
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = person }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await Assertions.Expect(picker).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(person));
        // The time last, after every choice that re-renders the form.
        var timeField = form.GetByLabel("Time (HH:mm)", new() { Exact = true });
        await ConsoleDriver.FillAsync(page, "Time (HH:mm)", time, form);
        await Assertions.Expect(timeField).ToHaveValueAsync(time);
        await Assertions.Expect(picker).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(person));
        await page.Locator("[data-test=explain-run]").ClickAsync();
    }
}
