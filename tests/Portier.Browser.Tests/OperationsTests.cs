using Portier.Core.Decisions;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Events;
using Portier.Server.Features.LiveEvents;

namespace Portier.Browser.Tests;

/// <summary>The operator areas: event series access control, webhooks, reports, alarms and integrations.</summary>
public sealed class OperationsTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private async Task<(string Site, string Door)> SiteWithDoorAsync(string name, string door)
    {
        var site = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name, timeZone = "Europe/Paris" });
        var siteId = site.GetProperty("id").GetString()!;
        var created = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/doors", new { siteId, name = door });
        return (siteId, created.GetProperty("id").GetString()!);
    }

    private async Task<Guid> AppendAttemptAsync(string site, string door, bool allowed, string reason, Guid? person = null, DateTimeOffset? at = null)
    {
        var attempt = new AccessEvent
        {
            SiteId = Guid.Parse(site), DoorId = Guid.Parse(door), PersonId = person, Method = AccessMethod.Scan, CredentialKind = CredentialKind.Card,
            PresentedValue = "04A1B2C3", At = NodaTime.Instant.FromDateTimeOffset(at ?? TimeProvider.System.GetUtcNow().AddMinutes(-5)), Allowed = allowed,
            Reason = EventReason.Parse(reason), Path = DecisionPath.None, Outcome = ActuationOutcome.NotSent,
        };
        await fixture.Server.Services.GetRequiredService<AccessEventWriter>().AppendAsync(attempt, TestContext.Current.CancellationToken);
        return attempt.Id;
    }

    /// <summary>The door's confirmation of an earlier attempt, recorded as a second row the way an unlock records it.</summary>
    private Task AppendConfirmationAsync(string site, string door, Guid attempt) =>
        fixture.Server.Services.GetRequiredService<AccessEventWriter>().AppendAsync(new AccessEvent
        {
            SiteId = Guid.Parse(site), DoorId = Guid.Parse(door), Method = AccessMethod.Scan, At = NodaTime.SystemClock.Instance.GetCurrentInstant(),
            Allowed = true, Reason = EventReason.Of(ActuationOutcome.ConfirmedUnlocked), Path = DecisionPath.Rule, Outcome = ActuationOutcome.ConfirmedUnlocked, OutcomeOf = attempt,
        }, TestContext.Current.CancellationToken);

    [Fact]
    public async Task EventSeries_PolicyAdded_TaskTableShowsGrantAndRevoke()
    {
        var (site, _) = await SiteWithDoorAsync("Maker Hall", "Metal shop");
        var person = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Wendy Welder", email = "wendy@maker.example" });
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/providers", new { siteId = site, name = "Portier doors", kind = "built_in" });
        var series = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/event-series", new { siteId = site, name = "Welding 101" });
        var seriesId = series.GetProperty("id").GetString();
        var start = TimeProvider.System.GetUtcNow().AddDays(3);
        await fixture.ApiAsync(HttpMethod.Post, $"/api/v1/event-series/{seriesId}/sessions", new { startsAt = start, endsAt = start.AddHours(2), title = "Evening class" });
        await fixture.ApiAsync(HttpMethod.Post, $"/api/v1/event-series/{seriesId}/attendees", new { personId = person.GetProperty("id").GetString() });

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/events/{seriesId}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Access Control" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=session-tasks]")).ToContainTextAsync("No task");
        await Assertions.Expect(page.Locator("[data-test=task-horizon]")).ToContainTextAsync("handed to their provider 24 hours before their target time");
        await page.Locator("[data-test=add-policy]").ClickAsync();
        var editor = page.Locator("[data-test=policy-editor]");
        await ConsoleDriver.PickAsync(page, "Zone", "Door: Metal shop", editor);
        await ConsoleDriver.FillAsync(page, "Minutes before event", "45", editor);
        await editor.GetByText("Grant temporary authorization").ClickAsync();
        await ConsoleDriver.FillAsync(page, "Authorization", "Building Access", editor);
        await editor.Locator("[data-test=save-policy]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-test=policies]")).ToContainTextAsync("Door: Metal shop");
        await Assertions.Expect(page.Locator("[data-test=policies]")).ToContainTextAsync("Building Access");
        var tasks = page.Locator("[data-test=session-tasks]");
        await Assertions.Expect(tasks).ToContainTextAsync("Grant", new() { Timeout = 10_000 });
        await Assertions.Expect(tasks).ToContainTextAsync("Revoke");
        await Assertions.Expect(tasks.Locator("[data-test=task-status]")).ToHaveCountAsync(2);
        await Assertions.Expect(tasks.Locator("[data-test=task-status]").First).ToHaveTextAsync("not yet scheduled");
        await Assertions.Expect(tasks.Locator("[data-test=task-cancel]")).ToHaveCountAsync(2);
        await Browser.ScreenshotAsync(page, "event-access-control");

        // Cancelling asks first, then the table shows the task as cancelled without a reload.
        await tasks.Locator("[data-test=task-cancel]").First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel task" }).ClickAsync();
        await Assertions.Expect(tasks.Locator("[data-test=task-status]").Filter(new() { HasText = "cancelled" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task EventSeries_PolicyAddedToManySessions_ConsoleReportsTheReplan()
    {
        var (site, _) = await SiteWithDoorAsync("Lecture Hall", "Hall door");
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/providers", new { siteId = site, name = "Portier doors", kind = "built_in" });
        var series = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/event-series", new { siteId = site, name = "Evening lectures" });
        var seriesId = series.GetProperty("id").GetString();
        var first = TimeProvider.System.GetUtcNow().AddDays(2);
        for (var day = 0; day < 40; day++)
            await fixture.ApiAsync(HttpMethod.Post, $"/api/v1/event-series/{seriesId}/sessions", new { startsAt = first.AddDays(day), endsAt = first.AddDays(day).AddHours(2) });

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/events/{seriesId}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Access Control" }).ClickAsync();
        await page.Locator("[data-test=add-policy]").ClickAsync();
        var editor = page.Locator("[data-test=policy-editor]");
        await ConsoleDriver.PickAsync(page, "Zone", "Door: Hall door", editor);
        await editor.Locator("[data-test=save-policy]").ClickAsync();

        // A grant and a revoke for each of the 40 sessions, reported as the re-plan finishes.
        await Assertions.Expect(page.Locator("[data-test=replan-last]")).ToContainTextAsync("Access tasks re-planned", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-test=replan-last]")).ToContainTextAsync(": 80 changes in");
        await Assertions.Expect(page.Locator("[data-test=replan-progress]")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, "event-replan");

        // A re-plan still running (here announced the way the planner announces a batch) shows how far it is.
        var live = fixture.Server.Services.GetRequiredService<ILiveEventPublisher>();
        var started = TimeProvider.System.GetUtcNow();
        live.Publish(LiveEventTypes.PlanningProgress, Guid.Parse(site), NodaTime.Instant.FromDateTimeOffset(started),
            new PlanningProgressPayload(Guid.Parse(seriesId!), PlanningStage.Writing, 2000, 8000, started));
        await Assertions.Expect(page.Locator("[data-test=replan-progress]")).ToContainTextAsync("Re-planning access tasks: 2,000 of 8,000 written");
        await Assertions.Expect(page.Locator("[data-test=replan-progress] .mud-progress-linear")).ToHaveAttributeAsync("aria-valuenow", "25");
        await Browser.ScreenshotAsync(page, "event-replan-running");
    }

    [Fact]
    public async Task Webhook_CreatedAndTestEventSent_DeliveryAppearsInLog()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await SiteWithDoorAsync("Hook House", "Side door");
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync("/console/webhooks");
        var form = page.Locator("[data-test=new-webhook]");
        await ConsoleDriver.FillAsync(page, "URL", receiver.Url, form);
        await ConsoleDriver.FillAsync(page, "Description", "Front desk integration", form);
        await form.Locator("[data-test=create-webhook]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=webhook-secret]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^whsec_"));
        await Assertions.Expect(page.Locator("[data-test=webhooks]")).ToContainTextAsync(receiver.Url);
        // The endpoint belongs to the site the admin works on unless they clear the site.
        await Assertions.Expect(page.Locator("[data-test=webhooks] tr").Filter(new() { HasText = receiver.Url })).Not.ToContainTextAsync("all sites");
        await Browser.ScreenshotAsync(page, "webhooks");

        await page.Locator("[data-test=open-webhook]").ClickAsync();
        await page.WaitForURLAsync("**/console/webhooks/*-*");
        await page.Locator("[data-test=send-test]").ClickAsync();
        var log = page.Locator("[data-test=deliveries]");
        await Assertions.Expect(log).ToContainTextAsync("webhook.test");
        await Assertions.Expect(log.Locator("[data-test=delivery-status]").First).ToHaveTextAsync("Delivered", new() { Timeout = 15_000 });
        await Assertions.Expect(log.Locator("[data-test=delivery-answer]").First).ToHaveTextAsync("204");
        await log.Locator("tbody tr").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=attempts]")).ToContainTextAsync("204");
        await Assertions.Expect(page.Locator("[data-test=attempts]")).ToContainTextAsync(" ms");
        Assert.Contains(receiver.Bodies, b => JsonDocument.Parse(b).RootElement.GetProperty("type").GetString() == "webhook.test");
        await Browser.ScreenshotAsync(page, "webhook-deliveries");

        await page.Locator("[data-test=disable-webhook]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=webhook-state]")).ToContainTextAsync("Disabled: by an admin");
        await page.Locator("[data-test=enable-webhook]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=webhook-state]")).ToContainTextAsync("Enabled");
    }

    [Fact]
    public async Task Webhook_FailedDeliveryReplayedAfterReceiverFixed_Succeeds()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Answer = System.Net.HttpStatusCode.Gone;
        // A site's own endpoint: the alarm its disabling raises stays on that site's alarms page, not on every site's.
        var siteId = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/sites", new { name = "Replay Desk Site", timeZone = "Europe/Berlin" })).GetProperty("id").GetString();
        var endpoint = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/webhooks", new { url = receiver.Url, eventTypes = new[] { "webhook.test" }, siteId, description = "Replay desk" });
        var id = endpoint.GetProperty("endpoint").GetProperty("id").GetString();
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/webhooks/{id}");
        await page.Locator("[data-test=send-test]").ClickAsync();

        // 410 Gone fails the delivery at once and disables the endpoint.
        var log = page.Locator("[data-test=deliveries]");
        await Assertions.Expect(log.Locator("[data-test=delivery-status]").First).ToHaveTextAsync("Failed", new() { Timeout = 15_000 });
        await Assertions.Expect(log.Locator("[data-test=delivery-answer]").First).ToHaveTextAsync("410");
        await Assertions.Expect(page.Locator("[data-test=webhook-state]")).ToContainTextAsync("Disabled: the receiver answered 410 Gone");

        // The receiver is fixed and the endpoint re-enabled; Replay sends the same message again.
        receiver.Answer = System.Net.HttpStatusCode.NoContent;
        await page.Locator("[data-test=enable-webhook]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=webhook-state]")).ToContainTextAsync("Enabled");
        await log.Locator("[data-test=replay]").First.ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Delivery queued again.")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=attempts]")).ToHaveCountAsync(0);
        var replay = log.Locator("tbody tr").Filter(new() { HasText = "replay of #" });
        await Assertions.Expect(replay.Locator("[data-test=delivery-status]")).ToHaveTextAsync("Delivered", new() { Timeout = 15_000 });
        await Assertions.Expect(replay.Locator("[data-test=delivery-answer]")).ToHaveTextAsync("204");
        await Assertions.Expect(log.Locator("[data-test=delivery-status]").Filter(new() { HasText = "Failed" })).ToHaveCountAsync(1);
        Assert.Equal(2, receiver.Bodies.Count);
        Assert.Equal(receiver.Bodies.First(), receiver.Bodies.Last());
        await Browser.ScreenshotAsync(page, "webhook-replay");
    }

    [Fact]
    public async Task Alarms_DoorForcedOpen_AcknowledgedThenClearedWhenClosed()
    {
        var (site, door) = await SiteWithDoorAsync("Alarm Alley", "Loading dock");
        await using var controller = await DoorController.PairAsync(fixture, door);
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/alarms?site={site}");
        var alarms = page.Locator("[data-test=alarms]");
        await Assertions.Expect(alarms).ToContainTextAsync("No alarm to show.");

        // The door opens with no unlock granted: forced open.
        await controller.ReportDoorAsync(DoorPosition.Open);
        await Assertions.Expect(alarms).ToContainTextAsync("Forced open", new() { Timeout = 10_000 });
        await Assertions.Expect(alarms).ToContainTextAsync("Loading dock");
        await Assertions.Expect(alarms).ToContainTextAsync("standing");
        await alarms.Locator("[data-test=acknowledge-alarm]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Alarm acknowledged.")).ToBeVisibleAsync();
        await Assertions.Expect(alarms.Locator("[data-test=acknowledge-alarm]")).ToHaveCountAsync(0);
        await Assertions.Expect(alarms).ToContainTextAsync(" by ");
        await Browser.ScreenshotAsync(page, "alarm-acknowledged");

        // Closing the door clears it; acknowledged and cleared, it leaves the attention list but not the history.
        await controller.ReportDoorAsync(DoorPosition.Closed);
        await Assertions.Expect(alarms).ToContainTextAsync("No alarm to show.", new() { Timeout = 10_000 });
        await ConsoleDriver.PickAsync(page, "Show", "All");
        await Assertions.Expect(alarms).ToContainTextAsync("cleared");
        await Assertions.Expect(alarms).ToContainTextAsync("Forced open");
    }

    [Fact]
    public async Task Integrations_TestConnection_UnhealthyWhenReceiverGone_HealthyAgainOnceTheUrlIsFixed()
    {
        var receiver = await LoopbackReceiver.StartAsync();
        var (site, _) = await SiteWithDoorAsync("Provider Plaza", "Plaza door");
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/integrations?site={site}");
        var form = page.Locator("[data-test=new-provider]");
        await ConsoleDriver.FillAsync(page, "Name", "Front desk system", form);
        await ConsoleDriver.PickAsync(page, "Kind", "Webhook", form);
        await ConsoleDriver.FillAsync(page, "URL", receiver.Url, form);
        await form.Locator("[data-test=save-provider]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=provider-secret]")).ToContainTextAsync("Front desk system");
        var providers = page.Locator("[data-test=providers]");
        await Assertions.Expect(providers).ToContainTextAsync(receiver.Url);

        await providers.Locator("[data-test=test-connection]").ClickAsync();
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Front desk system: Test Connection succeeded.")).ToBeVisibleAsync();
        await Assertions.Expect(providers.Locator("[data-test=provider-health]")).ToHaveTextAsync("Healthy");
        Assert.Contains(receiver.Bodies, b => JsonDocument.Parse(b).RootElement.GetProperty("type").GetString() == "ping");
        await Browser.ScreenshotAsync(page, "integrations-test-connection");

        // Nothing listens any more: the test fails and the provider shows unhealthy with the reason.
        await receiver.DisposeAsync();
        await providers.Locator("[data-test=test-connection]").ClickAsync();
        await Assertions.Expect(providers.Locator("[data-test=provider-health]")).ToHaveTextAsync("Unhealthy", new() { Timeout = 30_000 });
        await Assertions.Expect(ConsoleDriver.Snackbar(page, "Front desk system:").Last).ToBeVisibleAsync();

        // The fix: edit the provider to the new address with credentials, test again, then remove it.
        await using var moved = await LoopbackReceiver.StartAsync();
        await providers.Locator("[data-test=edit-provider]").ClickAsync();
        await Assertions.Expect(form).ToContainTextAsync("Edit Front desk system");
        await ConsoleDriver.FillAsync(page, "URL", moved.Url, form);
        await ConsoleDriver.FillAsync(page, "API key (optional)", "desk-key-2", form);
        await form.Locator("[data-test=save-provider]").ClickAsync();
        await Assertions.Expect(providers).ToContainTextAsync(moved.Url);
        await providers.Locator("[data-test=test-connection]").ClickAsync();
        await Assertions.Expect(providers.Locator("[data-test=provider-health]")).ToHaveTextAsync("Healthy");
        var saved = await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/providers?siteId={site}");
        Assert.True(saved.GetProperty("items")[0].GetProperty("hasApiKey").GetBoolean());

        await providers.Locator("[data-test=delete-provider]").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(providers).ToContainTextAsync("No access control provider at this site.");
    }

    [Fact]
    public async Task AccessLog_ControllerScansWhileOpen_AttemptAppearsWithoutReload()
    {
        var (site, door) = await SiteWithDoorAsync("Scan Street", "Street gate");
        await using var controller = await DoorController.PairAsync(fixture, door);
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/access-log?site={site}");
        var log = page.Locator("[data-test=access-log]");
        await Assertions.Expect(log).ToContainTextAsync("No attempt matches.");

        await controller.ScanAsync("04DEADBE");

        await Assertions.Expect(log).ToContainTextAsync("04DEADBE", new() { Timeout = 10_000 });
        await Assertions.Expect(log).ToContainTextAsync("Street gate");
        await Assertions.Expect(log).ToContainTextAsync("denied");
        await Browser.ScreenshotAsync(page, "access-log-scan");
    }

    [Fact]
    public async Task AccessLog_FilteredByPersonAndDay_ShowsOnlyTheirAttemptsThatDay()
    {
        var (site, door) = await SiteWithDoorAsync("Lookup Lodge", "Lodge door");
        var mia = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Mia Lookup" })).GetProperty("id").GetGuid();
        var noah = (await fixture.ApiAsync(HttpMethod.Post, "/api/v1/people", new { siteId = site, name = "Noah Other" })).GetProperty("id").GetGuid();
        // 10:00 and 23:30 in Paris on 3 March 2026 (UTC+1), and 00:30 the next day.
        await AppendAttemptAsync(site, door, allowed: true, "granted", mia, new DateTimeOffset(2026, 3, 3, 9, 0, 0, TimeSpan.Zero));
        await AppendAttemptAsync(site, door, allowed: false, "outside_access_hours", mia, new DateTimeOffset(2026, 3, 3, 22, 30, 0, TimeSpan.Zero));
        await AppendAttemptAsync(site, door, allowed: true, "granted", mia, new DateTimeOffset(2026, 3, 3, 23, 30, 0, TimeSpan.Zero));
        await AppendAttemptAsync(site, door, allowed: true, "granted", noah, new DateTimeOffset(2026, 3, 3, 12, 0, 0, TimeSpan.Zero));

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/access-log?site={site}");
        var rows = page.Locator("[data-test=access-log] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        await ConsoleDriver.FillAsync(page, "On day", "3 Mar 2026");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        var picker = page.Locator("[data-test=log-filters]").GetByLabel("Person", new() { Exact = true });
        await picker.FillAsync("Mia");
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Mia Lookup" }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-test=access-log]")).ToContainTextAsync("3 Mar 2026, 23:30:00");
        await Assertions.Expect(page.Locator("[data-test=access-log]")).Not.ToContainTextAsync("Noah Other");
    }

    [Fact]
    public async Task AccessLog_LiveAttempts_KeepToFiltersPauseAndConfirmations()
    {
        var (site, door) = await SiteWithDoorAsync("Filter Foyer", "Foyer door");
        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/access-log?site={site}");
        var log = page.Locator("[data-test=access-log]");
        await Assertions.Expect(log).ToContainTextAsync("No attempt matches.");

        // The door's confirmation arrives after the attempt and changes its row in place.
        var first = await AppendAttemptAsync(site, door, allowed: true, "granted");
        await Assertions.Expect(log.Locator("[data-test=door-confirmed]")).ToHaveTextAsync("Nothing sent to the door");
        await AppendConfirmationAsync(site, door, first);
        await Assertions.Expect(log.Locator("[data-test=door-confirmed]")).ToHaveTextAsync("Unlocked (confirmed)");

        // Filtered to granted attempts, a live denial stays out and the next grant comes in.
        await ConsoleDriver.PickAsync(page, "Outcome", "Granted");
        await Assertions.Expect(log.Locator("tbody tr")).ToHaveCountAsync(1);
        await AppendAttemptAsync(site, door, allowed: false, "outside_access_hours");
        await AppendAttemptAsync(site, door, allowed: true, "granted");
        await Assertions.Expect(log.Locator("tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(log).Not.ToContainTextAsync("Outside access hours");

        // The export keeps to the same filter.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-test=export-csv]").ClickAsync());
        var csv = await File.ReadAllLinesAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        Assert.Equal(3, csv.Length);
        Assert.DoesNotContain(csv, line => line.Contains("outside_access_hours", StringComparison.Ordinal));

        // Paused, new attempts are counted instead of shown until asked for.
        await page.GetByRole(AriaRole.Switch, new() { Name = "Live", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Switch, new() { Name = "Paused", Exact = true })).ToBeVisibleAsync();
        await AppendAttemptAsync(site, door, allowed: true, "granted");
        await Assertions.Expect(page.Locator("[data-test=new-attempts]")).ToContainTextAsync("1 new attempt not shown");
        await Assertions.Expect(log.Locator("tbody tr")).ToHaveCountAsync(2);
        await page.Locator("[data-test=show-newest]").ClickAsync();
        await Assertions.Expect(log.Locator("tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-test=new-attempts]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Reports_WithAttempts_RenderCharts()
    {
        var (site, door) = await SiteWithDoorAsync("Report Rink", "Rink gate");
        await fixture.ApiAsync(HttpMethod.Post, "/api/v1/zones", new { siteId = site, name = "Ice", capacity = 40 });
        await AppendAttemptAsync(site, door, allowed: true, "granted");
        await AppendAttemptAsync(site, door, allowed: false, "outside_access_hours");

        var page = await fixture.AdminPageAsync();
        await page.GotoAsync($"/console/reports?site={site}");
        await Assertions.Expect(page.Locator("[data-test=hourly-chart] svg").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-test=reason-chart]")).ToContainTextAsync("Outside access hours");
        await Assertions.Expect(page.Locator("[data-test=top-denied-doors]")).ToContainTextAsync("Rink gate");
        await Assertions.Expect(page.Locator("[data-test=occupancy-chart] svg").First).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "reports");

        // The dashboard counts the same day on the server.
        await page.GotoAsync($"/console?site={site}");
        await Assertions.Expect(page.Locator("[data-stat='Granted (24 h)']")).ToContainTextAsync("1");
        await Assertions.Expect(page.Locator("[data-stat='Denied (24 h)']")).ToContainTextAsync("mostly: Outside access hours");
        await Assertions.Expect(page.Locator("[data-test=hourly-chart] svg").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task OperatorPages_Render_AndAreCaptured()
    {
        var (site, _) = await SiteWithDoorAsync("Screenshot Studio", "Studio door");
        var page = await fixture.AdminPageAsync();
        foreach (var (path, name, marker) in new[]
        {
            ($"/console/alarms?site={site}", "alarms", "No alarm to show."),
            ($"/console/events?site={site}", "event-series", "No event series at this site yet."),
            ($"/console/integrations?site={site}", "integrations", "No access control provider at this site."),
            ($"/console/access-log?site={site}", "access-log-export", "Export CSV"),
        })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("main, .mud-main-content").First).ToContainTextAsync(marker);
            await Browser.ScreenshotAsync(page, name);
        }

        // The export link downloads the CSV through the console with the admin's session.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-test=export-csv]").ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        Assert.StartsWith("id,", csv, StringComparison.Ordinal);
    }
}
