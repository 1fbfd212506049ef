extern alias simulator;
using Microsoft.Playwright;
using simulator::Portier.Simulator;

namespace Portier.Browser.Tests;

/// <summary>The member app on a phone: sign in, unlock through a simulated controller, be refused outside the geofence (in the door's card), read the home's cards.</summary>
public sealed class MemberAppTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private static readonly Geolocation AtTheClub = new() { Latitude = 38.7223f, Longitude = -9.1393f, Accuracy = 10 };
    private static readonly Geolocation AcrossTown = new() { Latitude = 38.7400f, Longitude = -9.1393f, Accuracy = 10 };

    [Fact]
    public async Task MemberApp_OnAPhone_UnlocksAtTheSite_IsRefusedOutsideTheGeofence_AndShowsMessageCards()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new
        {
            name = "Geo Club", timeZone = "Europe/Lisbon",
            geofence = new { enabled = true, latitude = 38.7223, longitude = -9.1393, radiusMeters = 100, requiredAccuracyMeters = 50 },
        });
        var siteId = site.GetProperty("id").GetString();
        var door = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId, name = "Climbing hall" });
        var doorId = door.GetProperty("id").GetString();
        var person = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId, name = "Gil Member", email = "gil@geo.example" });
        var personId = person.GetProperty("id").GetString();
        var sauna = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId, name = "Sauna" })).GetProperty("id").GetString();
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/grants", new { personId, doorIds = new[] { doorId, sauna } });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/credentials", new { personId, kind = "barcode", value = "GEO-0007", label = "Member pass" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/app-messages", new { siteId, title = "Wall reset on Friday", body = "The bouldering wall is closed from 6 pm." });
        await using var controller = await SimulatedControllers.PairAsync(fixture, doorId!);
        var unlocks = 0;
        controller.CommandReceived += (_, command, _, _) => { if (command.Type == Portier.Core.Devices.CommandType.Unlock) Interlocked.Increment(ref unlocks); };

        var phone = await fixture.Browser.NewPageAsync(fixture.Server.BaseAddress, phone: true, location: AtTheClub);
        await phone.GotoAsync($"/app?site={siteId}");
        await phone.Locator("#email").FillAsync("gil@geo.example");
        await phone.Locator("#send-code").ClickAsync();
        await phone.Locator("#code").FillAsync(await fixture.Server.MailedCodeAsync("gil@geo.example"));
        await phone.Locator("#verify").ClickAsync();

        await Assertions.Expect(phone.Locator(".message-card")).ToContainTextAsync("Wall reset on Friday");
        await Assertions.Expect(phone.Locator("#zone-note")).ToHaveTextAsync("Times in Europe/Lisbon");
        await Assertions.Expect(phone.Locator("#qr-image")).ToBeVisibleAsync();
        await Assertions.Expect(phone.Locator("#qr-text")).ToContainTextAsync("GEO-0007");
        await Browser.ScreenshotAsync(phone, "member-app-home");

        // The door without a controller is listed apart, with why, and offers no unlock.
        var unavailable = phone.Locator("#unavailable-doors .door-card", new() { HasText = "Sauna" });
        await Assertions.Expect(phone.Locator("#unavailable h2")).ToHaveTextAsync("Not available right now");
        await Assertions.Expect(unavailable.Locator(".why")).ToHaveTextAsync("The door's controller is offline. Please contact the front desk.");
        await Assertions.Expect(unavailable.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Assertions.Expect(phone.Locator("#doors .door-card")).ToHaveCountAsync(1);

        var card = phone.Locator("#doors .door-card", new() { HasText = "Climbing hall" });
        await card.GetByRole(AriaRole.Button, new() { Name = "Unlock" }).ClickAsync();
        await Assertions.Expect(card.Locator(".door-result")).ToHaveTextAsync("Climbing hall is unlocked.");
        Assert.Equal(1, Volatile.Read(ref unlocks));
        await Browser.ScreenshotAsync(phone, "member-app-unlocked");

        await phone.Context.SetGeolocationAsync(AcrossTown);
        await card.GetByRole(AriaRole.Button, new() { Name = "Unlock" }).ClickAsync();
        // The refusal replaces the previous answer inside the tapped door's card, and is told to screen readers.
        await Assertions.Expect(card.Locator(".door-result")).ToHaveTextAsync("You need to be at the site to open this door.");
        await Assertions.Expect(card.Locator(".door-result")).ToHaveClassAsync("door-result denied");
        await Assertions.Expect(phone.Locator("#door-status[role=status]")).ToHaveTextAsync("You need to be at the site to open this door.");
        await Assertions.Expect(phone.Locator("#notice")).ToBeHiddenAsync();
        Assert.Equal(1, Volatile.Read(ref unlocks));
        await Browser.ScreenshotAsync(phone, "member-app-outside-geofence");
    }

    [Fact]
    public async Task Console_InvitesAPersonToTheApp_AddsAMessagingRule_AndSetsTheAppLock()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Console Club", timeZone = "Europe/Lisbon" });
        var siteId = site.GetProperty("id").GetString();
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId, name = "Ida Invitee", email = "ida@console.example" });
        var page = await fixture.AdminPageAsync();

        await page.GotoAsync($"/console/people?site={siteId}");
        var row = page.Locator("[data-test=people] tr", new() { HasText = "Ida Invitee" });
        await Assertions.Expect(row.Locator("[data-test=app-invitation]")).ToContainTextAsync("not invited");
        await row.Locator("[data-test=send-app-invitation]").ClickAsync();
        await Assertions.Expect(row.Locator("[data-test=app-invitation]")).ToContainTextAsync("Send again");
        await Assertions.Expect(row.Locator("[data-test=app-invitation] .mud-chip")).ToHaveTextAsync("invited");
        await Browser.ScreenshotAsync(page, "people-app-invitations");

        await page.GotoAsync($"/console/member-app?site={siteId}");
        var rule = page.Locator("[data-test=rule-form]");
        await ConsoleDriver.FillAsync(page, "Rule name", "Expired members", rule);
        await ConsoleDriver.FillAsync(page, "Membership statuses", "Expired", rule);
        await ConsoleDriver.FillAsync(page, "Title", "Your membership has expired", rule);
        await rule.Locator("[data-test=save-rule]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=rules]")).ToContainTextAsync("status Expired");
        await ConsoleDriver.FillAsync(page, "Idle minutes", "15", page.Locator("[data-test=app-lock]"));
        await page.Locator("[data-test=save-app-lock]").ClickAsync();
        await Assertions.Expect(page.GetByText("The app locks after 15 idle minutes.")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "member-app-console");

        Assert.Equal(15, (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/sites/{siteId}/member-app")).GetProperty("appLockMinutes").GetInt32());
    }

    [Fact]
    public async Task MemberApp_IdleForTheAppLockMinutes_AsksForANewCodeWithoutWaitingForTheServer()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Idle Club", timeZone = "Europe/Lisbon" });
        var siteId = site.GetProperty("id").GetString();
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId, name = "Ivo Idle", email = "ivo@idle.example" });
        await fixture.ApiAsync(HttpMethod.Put, $"/api/v1/sites/{siteId}/member-app", new { appLockMinutes = 1 });

        // The phone's clock is Playwright's, so a minute passes in an instant; the server's stays real,
        // so only the app itself can notice the idle minute.
        var phone = await fixture.Browser.NewPageAsync(fixture.Server.BaseAddress, phone: true);
        await phone.Clock.InstallAsync();
        await phone.GotoAsync($"/app?site={siteId}");
        await phone.Locator("#email").FillAsync("ivo@idle.example");
        await phone.Locator("#send-code").ClickAsync();
        var firstCode = await fixture.Server.MailedCodeAsync("ivo@idle.example");
        await phone.Locator("#code").FillAsync(firstCode);
        await phone.Locator("#verify").ClickAsync();
        await Assertions.Expect(phone.Locator("#greeting")).ToHaveTextAsync("Hello, Ivo Idle.");

        // A tap restarts the idle minute.
        await phone.Clock.RunForAsync(40_000);
        await phone.Locator("#greeting").ClickAsync();
        await phone.Clock.RunForAsync(40_000);
        await Assertions.Expect(phone.Locator("#step-doors")).ToBeVisibleAsync();

        await phone.Clock.RunForAsync(25_000);
        await Assertions.Expect(phone.Locator("#step-code")).ToBeVisibleAsync();
        await Assertions.Expect(phone.Locator("#code-hint")).ToContainTextAsync("The app locked itself after a while without use");
        await Assertions.Expect(phone.Locator("#step-doors")).ToBeHiddenAsync();
        await Browser.ScreenshotAsync(phone, "member-app-idle-lock");

        // The new code opens a new session.
        var secondCode = firstCode;
        for (var attempt = 0; attempt < 50 && secondCode == firstCode; attempt++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            secondCode = await fixture.Server.MailedCodeAsync("ivo@idle.example");
        }
        Assert.NotEqual(firstCode, secondCode);
        await phone.Locator("#code").FillAsync(secondCode);
        await phone.Locator("#verify").ClickAsync();
        await Assertions.Expect(phone.Locator("#greeting")).ToHaveTextAsync("Hello, Ivo Idle.");
    }

    [Fact]
    public async Task Console_EditsAMessagesTextAndWindow_ThenDeletesIt()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Message Club", timeZone = "Europe/Lisbon" });
        var siteId = site.GetProperty("id").GetString();
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/member-app?site={siteId}");
        var form = page.Locator("[data-test=message-form]");
        var messages = page.Locator("[data-test=messages]");
        await ConsoleDriver.FillAsync(page, "Title", "Pool closed", form);
        await form.Locator("[data-test=send-message]").ClickAsync();
        await Assertions.Expect(messages).ToContainTextAsync("Pool closed");
        await Assertions.Expect(messages.Locator("[data-test=message-window]")).ToHaveTextAsync("always");

        // A time the console cannot read is refused before anything is sent.
        await messages.Locator("[data-test=edit-message]").ClickAsync();
        await Assertions.Expect(form).ToContainTextAsync("Editing “Pool closed”");
        await ConsoleDriver.FillAsync(page, "Title", "Pool closed on Monday", form);
        await ConsoleDriver.FillAsync(page, $"Shown until (yyyy-MM-dd HH:mm, optional)", "next monday", form);
        await form.Locator("[data-test=save-message]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "visibleUntil: Write it as yyyy-MM-dd HH:mm, site time.")).ToBeVisibleAsync();
        await Assertions.Expect(messages).Not.ToContainTextAsync("Pool closed on Monday");

        await ConsoleDriver.FillAsync(page, $"Shown from (yyyy-MM-dd HH:mm, optional)", "2030-01-06 08:00", form);
        await ConsoleDriver.FillAsync(page, $"Shown until (yyyy-MM-dd HH:mm, optional)", "2030-01-07 22:00", form);
        await form.Locator("[data-test=save-message]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Message saved.")).ToBeVisibleAsync();
        await Assertions.Expect(messages).ToContainTextAsync("Pool closed on Monday");
        await Assertions.Expect(messages.Locator("[data-test=message-window]")).ToHaveTextAsync("6 Jan 2030, 08:00 – 7 Jan 2030, 22:00");
        await Assertions.Expect(form.Locator("[data-test=send-message]")).ToBeVisibleAsync();
        var saved = (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/app-messages?siteId={siteId}")).GetProperty("items")[0];
        Assert.Equal("Pool closed on Monday", saved.GetProperty("title").GetString());
        // Lisbon keeps UTC in January.
        Assert.Equal(new DateTimeOffset(2030, 1, 6, 8, 0, 0, TimeSpan.Zero), saved.GetProperty("visibleFrom").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2030, 1, 7, 22, 0, 0, TimeSpan.Zero), saved.GetProperty("visibleUntil").GetDateTimeOffset());
        await Browser.ScreenshotAsync(page, "member-app-message-edited");

        await messages.Locator("[data-test=delete-message]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(messages).ToContainTextAsync("No message yet.");
        Assert.Equal(0, (await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/app-messages?siteId={siteId}")).GetProperty("items").GetArrayLength());
    }
}
