using Microsoft.Playwright;

namespace Portier.Browser.Tests;

public sealed class InviteConsoleTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task Journey_ConfigureInviteFindItAndValidateAtTheGate_ShowsQrAndAllows()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Harbor Works", timeZone = "Europe/Berlin" });
        var siteId = site.GetProperty("id").GetString();
        var page = await fixture.AdminPageAsync();

        // A point of entry, then an entry type that opens it only.
        await page.GotoAsync($"/console/access/points-of-entry?site={siteId}");
        var poeForm = page.Locator("[data-test=new-point-of-entry]");
        await ConsoleDriver.FillAsync(page, "Name", "Lobby turnstile", poeForm);
        await poeForm.Locator("[data-test=create-point-of-entry]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=points-of-entry]")).ToContainTextAsync("Lobby turnstile");
        await Browser.ScreenshotAsync(page, "points-of-entry");

        await page.GotoAsync($"/console/access/entry-types?site={siteId}");
        await page.GetByText("Add entry type", new() { Exact = true }).First.ClickAsync();
        var typeForm = page.Locator("[data-test=new-entry-type]");
        await typeForm.Locator("[data-test=create-entry-type]").ClickAsync();
        await Assertions.Expect(typeForm.Locator("p.error[data-field=name]")).ToBeVisibleAsync();
        await ConsoleDriver.FillAsync(page, "Name", "Contractor day", typeForm);
        await ConsoleDriver.PickAsync(page, "Allowed points of entry (none: every one of the site)", "Lobby turnstile", typeForm);
        await typeForm.Locator("[data-test=create-entry-type]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=entry-types]")).ToContainTextAsync("Contractor day");
        await Assertions.Expect(page.Locator("[data-test=entry-types]")).ToContainTextAsync("Lobby turnstile");
        await Browser.ScreenshotAsync(page, "entry-types");

        // A webhook channel without its URL is refused field by field; Portier's own handler needs no configuration.
        await page.GotoAsync("/console/access/channels");
        // The handler list arrives after the first render; pick only once the page has settled.
        await Assertions.Expect(page.Locator("[data-test=channels]")).ToContainTextAsync("No channel yet");
        var channelForm = page.Locator("[data-test=new-channel]");
        await ConsoleDriver.PickAsync(page, "Handler", "Webhook", channelForm);
        await Assertions.Expect(channelForm.Locator("[data-test=channel-capabilities]")).ToContainTextAsync("Face verification");
        await ConsoleDriver.FillAsync(page, "Code", "front_desk", channelForm);
        await ConsoleDriver.FillAsync(page, "Name", "Front desk", channelForm);
        await channelForm.Locator("[data-test=create-channel]").ClickAsync();
        await Assertions.Expect(channelForm.Locator("p.error[data-field='configuration.url']")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "channel-errors");
        await ConsoleDriver.PickAsync(page, "Handler", "Portier doors and readers", channelForm);
        await channelForm.Locator("[data-test=create-channel]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=channels]")).ToContainTextAsync("front_desk");
        await Browser.ScreenshotAsync(page, "channels");

        // The invite: issued at once; its page shows the PIN once and the QR pass.
        await page.GotoAsync($"/console/invites/new?site={siteId}");
        var inviteForm = page.Locator("[data-test=invite-form]");
        await Assertions.Expect(inviteForm.Locator("[data-test=invite-type-summary]")).ToContainTextAsync("Lobby turnstile");
        await ConsoleDriver.FillAsync(page, "Visitor name", "Carl Contractor", inviteForm);
        await ConsoleDriver.FillAsync(page, "Visitor email", "carl@contractor.example", inviteForm);
        await ConsoleDriver.PickAsync(page, "Channel", "Front desk (front_desk)", inviteForm);
        await ConsoleDriver.FillAsync(page, "Purpose", "Boiler service", inviteForm);
        await inviteForm.Locator("[data-test=create-invite]").ClickAsync();
        await page.WaitForURLAsync("**/console/invites/INV-*");
        var reference = await page.Locator("[data-test=invite-reference]").InnerTextAsync();
        Assert.Matches("^INV-[A-Z0-9]{8}$", reference);
        await Assertions.Expect(page.Locator("[data-test=invite-status]")).ToHaveTextAsync("Pending");
        await Assertions.Expect(page.Locator("[data-test=qr-image]")).ToBeVisibleAsync();
        Assert.True(await page.Locator("[data-test=qr-image]").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"));
        var pin = await page.Locator("[data-test=issued-pin]").InnerTextAsync();
        Assert.Matches("^[0-9]{6}$", pin);
        var pass = await page.Locator("[data-test=qr-pass]").InputValueAsync();
        Assert.Equal(3, pass.Split('.').Length);
        await Assertions.Expect(page.Locator("[data-test=credential-pin]")).ToContainTextAsync("revealed");
        await Browser.ScreenshotAsync(page, "invite-detail");

        // The list finds it by visitor and by status, and not under another status.
        await page.GotoAsync($"/console/invites?site={siteId}");
        var list = page.Locator("[data-test=invites]");
        await page.Locator("[data-test=invite-search]").FillAsync("carl");
        await Assertions.Expect(list).ToContainTextAsync(reference);
        await ConsoleDriver.PickAsync(page, "Status", "Cancelled");
        await Assertions.Expect(list).ToContainTextAsync("No invite matches these filters.");
        await ConsoleDriver.PickAsync(page, "Status", "Pending");
        await Assertions.Expect(list).ToContainTextAsync(reference);
        await Assertions.Expect(list.Locator("[data-test=invite-row-status]")).ToHaveTextAsync("Pending");
        await Browser.ScreenshotAsync(page, "invites");

        // Reception: the PIN, then the QR pass, are allowed at the turnstile within the window.
        await page.GotoAsync($"/console/gate?site={siteId}");
        await Assertions.Expect(page.Locator("[data-test=gate-poe]")).ToContainTextAsync("Lobby turnstile");
        await ConsoleDriver.FillAsync(page, "Enter the PIN", pin);
        await page.Locator("[data-test=gate-validate]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=gate-outcome]")).ToHaveTextAsync("Allowed");
        await Assertions.Expect(page.Locator("[data-test=gate-reason]")).ToHaveTextAsync("Granted");
        await Assertions.Expect(page.Locator("[data-test=gate-reason]")).ToHaveAttributeAsync("data-code", "granted");
        await Assertions.Expect(page.Locator("[data-test=gate-reference]")).ToHaveTextAsync(reference);
        await page.GetByText("QR pass", new() { Exact = true }).ClickAsync();
        await ConsoleDriver.FillAsync(page, "QR pass (paste or scan)", pass);
        await page.Locator("[data-test=gate-validate]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=gate-outcome]")).ToHaveTextAsync("Allowed");
        await Browser.ScreenshotAsync(page, "gate-allowed");

        // A wrong PIN is denied with its reason.
        await page.GetByText("PIN", new() { Exact = true }).ClickAsync();
        await ConsoleDriver.FillAsync(page, "Enter the PIN", pin == "000000" ? "111111" : "000000");
        await page.Locator("[data-test=gate-validate]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=gate-outcome]")).ToHaveTextAsync("Denied");
        await Browser.ScreenshotAsync(page, "gate-denied");

        // Back on the invite: it was accepted by its first use, and a refused step reads in plain words.
        await page.GotoAsync($"/console/invites/{reference}");
        await Assertions.Expect(page.Locator("[data-test=invite-status]")).ToHaveTextAsync("Accepted");
        await Assertions.Expect(page.Locator("[data-test=invite-history]")).ToContainTextAsync("Passed at a gate");
        await page.Locator("[data-test=action-cancel]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Cancel invite" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=invite-status]")).ToHaveTextAsync("Cancelled");
        await Assertions.Expect(page.Locator("[data-test=invite-actions]")).ToContainTextAsync("Nothing more can be done");
        await Browser.ScreenshotAsync(page, "invite-cancelled");
    }

    [Fact]
    public async Task AccessSettings_RotateKeyAndSwitchModule_SaveBarGuardsChanges()
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Key Site", timeZone = "Europe/Berlin" });
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/access/settings?site={site.GetProperty("id").GetString()}");
        var keys = page.Locator("[data-test=qr-keys] tbody tr");
        await Assertions.Expect(keys).ToHaveCountAsync(1);
        await page.Locator("[data-test=rotate-key]").ClickAsync();
        await Assertions.Expect(keys).ToHaveCountAsync(2);
        await Assertions.Expect(keys.First).ToContainTextAsync("signing");
        await Assertions.Expect(keys.Nth(1)).ToContainTextAsync("verifying");

        await page.Locator("[data-test=module-enabled]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=save-bar]")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "access-settings");
        await page.Locator("[data-test=discard]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=save-bar]")).ToBeHiddenAsync();
    }
}
