using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Decisions;
using Portier.Server.Features.Events;
using Portier.Server.Features.Providers;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Tests.Infrastructure;
using static Portier.Server.Tests.Events.EventSetup;

namespace Portier.Server.Tests.Events;

public abstract class EventAccessTests(PortierServer server)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task WeeklySeries_TasksAreNotYetScheduledUntilTheyEnterTheHorizon()
    {
        var e = await CreateAsync(server);
        var first = e.Now.AddDays(3);
        var sessions = new List<Guid>();
        for (var week = 0; week < 4; week++) sessions.Add(await e.SessionAsync(first.AddDays(7 * week)));
        await e.PolicyAsync(e.BuiltInZoneId, 30, 15);

        foreach (var s in sessions)
        {
            var tasks = await e.TasksAsync(s);
            Assert.Equal(2, tasks.Count);
            Assert.All(tasks, t => Assert.Equal("not_yet_scheduled", Status(t)));
            Assert.All(tasks, t => Assert.Equal(["cancel"], t.GetProperty("actions").EnumerateArray().Select(a => a.GetString())));
        }
        Assert.Equal(first.AddMinutes(-30), Of(await e.TasksAsync(sessions[0]), "grant").GetProperty("targetTime").GetDateTimeOffset());

        e.AdvanceTo(first.AddMinutes(-30) - TimeSpan.FromHours(24) - Ms);
        await e.RunAsync();
        Assert.Equal("not_yet_scheduled", Status(Of(await e.TasksAsync(sessions[0]), "grant")));

        e.Advance(Ms);
        await e.RunAsync();
        Assert.All(await e.TasksAsync(sessions[0]), t => Assert.Equal("scheduled", Status(t)));
        Assert.All(await e.TasksAsync(sessions[1]), t => Assert.Equal("not_yet_scheduled", Status(t)));

        e.AdvanceTo(first.AddMinutes(-30));
        await e.RunAsync();
        Assert.Equal("executed", Status(Of(await e.TasksAsync(sessions[0]), "grant")));
        e.AdvanceTo(first.AddHours(2).AddMinutes(15));
        await e.RunAsync();
        e.AdvanceTo(first.AddDays(7).AddHours(-1));
        await e.RunAsync();
        var week1 = await e.TasksAsync(sessions[0]);
        Assert.All(week1, t => Assert.Equal("executed", Status(t)));
        Assert.Equal("scheduled", Status(Of(await e.TasksAsync(sessions[1]), "grant")));
        Assert.Equal("not_yet_scheduled", Status(Of(await e.TasksAsync(sessions[2]), "grant")));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(480, 480)]
    public async Task Buffers_AttendeeIsAllowedExactlyInsideTheWindow(int before, int after)
    {
        var e = await CreateAsync(server);
        var ada = await e.PersonAsync();
        var start = e.Now.AddDays(2);
        var session = await e.SessionAsync(start);
        await e.AttendAsync(ada);
        await e.PolicyAsync(e.BuiltInZoneId, before, after, "Building Access");
        var opens = start.AddMinutes(-before);
        var closes = start.AddHours(2).AddMinutes(after);

        Assert.False((await e.DecideAsync(ada, opens)).Allowed);
        e.AdvanceTo(opens);
        await e.RunAsync();
        Assert.Equal("executed", Status(Of(await e.TasksAsync(session), "grant")));
        Assert.Equal(ReasonCode.NoMatchingRuleOrGrant, (await e.DecideAsync(ada, opens - Ms)).Reason);
        Assert.True((await e.DecideAsync(ada, opens)).Allowed);
        Assert.True((await e.DecideAsync(ada, closes - Ms)).Allowed);
        Assert.False((await e.DecideAsync(ada, closes)).Allowed);
        Assert.Contains("Building Access", await e.TagsAsync(ada));

        e.AdvanceTo(closes);
        await e.RunAsync();
        Assert.Equal("executed", Status(Of(await e.TasksAsync(session), "revoke")));
        Assert.False((await e.DecideAsync(ada, closes - Ms)).Allowed);
        Assert.DoesNotContain("Building Access", await e.TagsAsync(ada));
    }

    [Fact]
    public async Task Policy_BuffersOutOfRangeOrSecondPolicyForZone_AreRefused()
    {
        var e = await CreateAsync(server);
        await (await e.Admin.PostJsonAsync($"/api/v1/event-series/{e.SeriesId}/policies", new { zoneId = e.BuiltInZoneId, minutesBefore = 481, minutesAfter = -1 }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await e.PolicyAsync(e.BuiltInZoneId, 10, 10);
        await (await e.Admin.PostJsonAsync($"/api/v1/event-series/{e.SeriesId}/policies", new { zoneId = e.BuiltInZoneId, minutesBefore = 5, minutesAfter = 5 }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "policy_exists");
    }

    [Fact]
    public async Task SessionMovedAfterGrantExecuted_OldWindowIsRevokedAndNewWindowPlanned()
    {
        var e = await CreateAsync(server);
        var ada = await e.PersonAsync();
        var start = e.Now.AddHours(1);
        var session = await e.SessionAsync(start);
        await e.AttendAsync(ada, session);
        await e.PolicyAsync(e.BuiltInZoneId, 60, 0);
        await e.RunAsync();
        Assert.True((await e.DecideAsync(ada, e.Now)).Allowed);

        var moved = start.AddDays(1);
        await (await e.Admin.PutJsonAsync($"/api/v1/event-sessions/{session}", new { startsAt = moved, endsAt = moved.AddHours(2) })).ExpectAsync(HttpStatusCode.OK);
        var tasks = await e.TasksAsync(session);
        Assert.Equal(4, tasks.Count);
        Assert.Equal("pending", Status(Of(tasks, "revoke", current: false)));
        Assert.Equal(e.Now, Of(tasks, "revoke", current: false).GetProperty("targetTime").GetDateTimeOffset());
        Assert.Equal(moved.AddHours(-1), Of(tasks, "grant").GetProperty("targetTime").GetDateTimeOffset());

        await e.RunAsync();
        Assert.Equal("executed", Status(Of(await e.TasksAsync(session), "revoke", current: false)));
        Assert.False((await e.DecideAsync(ada, e.Now)).Allowed);
        Assert.False((await e.DecideAsync(ada, moved.AddHours(-1))).Allowed);

        e.AdvanceTo(moved.AddHours(-1));
        await e.RunAsync();
        Assert.True((await e.DecideAsync(ada, e.Now)).Allowed);
    }

    [Fact]
    public async Task AttendeeAddedMidWindow_GetsAccessAtOnce_AndRemovedAttendeeLosesIt()
    {
        var e = await CreateAsync(server);
        var ada = await e.PersonAsync("Ada");
        var bob = await e.PersonAsync("Bob");
        var session = await e.SessionAsync(e.Now.AddMinutes(10));
        await e.AttendAsync(ada);
        await e.PolicyAsync(e.BuiltInZoneId, 30, 0);
        await e.RunAsync();
        Assert.False((await e.DecideAsync(bob, e.Now)).Allowed);

        var bobAttendance = await e.AttendAsync(bob, session);
        var personal = (await e.TasksAsync(session)).Single(t => t.GetProperty("personId").ValueKind != System.Text.Json.JsonValueKind.Null);
        Assert.Equal(("grant", "pending", e.Now), (personal.GetProperty("action").GetString(), Status(personal), personal.GetProperty("targetTime").GetDateTimeOffset()));
        await e.RunAsync();
        Assert.True((await e.DecideAsync(bob, e.Now)).Allowed);

        await (await e.Admin.RemoveAsync($"/api/v1/event-attendees/{bobAttendance}")).ExpectAsync(HttpStatusCode.NoContent);
        await e.RunAsync();
        Assert.False((await e.DecideAsync(bob, e.Now)).Allowed);
        Assert.True((await e.DecideAsync(ada, e.Now)).Allowed);
    }

    [Fact]
    public async Task CancelledSession_CancelsItsTasks_AndCancelledTasksOfferNoActions()
    {
        var e = await CreateAsync(server);
        var session = await e.SessionAsync(e.Now.AddHours(5));
        await e.PolicyAsync(e.BuiltInZoneId, 30, 30);
        await (await e.Admin.PostJsonAsync($"/api/v1/event-sessions/{session}/cancel", new { })).ExpectAsync(HttpStatusCode.OK);
        var tasks = await e.TasksAsync(session);
        Assert.All(tasks, t => Assert.Equal("cancelled", Status(t)));
        Assert.All(tasks, t => Assert.Equal(0, t.GetProperty("actions").GetArrayLength()));
        await (await e.Admin.PostJsonAsync($"/api/v1/event-tasks/{tasks[0].Id()}/retry", new { })).ExpectProblemAsync(HttpStatusCode.Conflict, "task_action_not_allowed");
    }

    [Fact]
    public async Task CancelTask_StopsItRunning()
    {
        var e = await CreateAsync(server);
        var ada = await e.PersonAsync();
        var session = await e.SessionAsync(e.Now.AddHours(1));
        await e.AttendAsync(ada);
        await e.PolicyAsync(e.BuiltInZoneId, 60, 0);
        var grant = Of(await e.TasksAsync(session), "grant").Id();
        await (await e.Admin.PostJsonAsync($"/api/v1/event-tasks/{grant}/cancel", new { })).ExpectAsync(HttpStatusCode.OK);
        await e.RunAsync();
        Assert.Equal("cancelled", Status(Of(await e.TasksAsync(session), "grant")));
        Assert.False((await e.DecideAsync(ada, e.Now)).Allowed);
    }

    [Fact]
    public async Task ServerDownThroughAWindow_GrantIsMissed_RevokeStillRuns_UsefulGrantRuns()
    {
        var e = await CreateAsync(server);
        var ada = await e.PersonAsync();
        var past = await e.SessionAsync(e.Now.AddHours(1));
        var ongoing = await e.SessionAsync(e.Now.AddHours(5), TimeSpan.FromHours(4));
        await e.AttendAsync(ada);
        await e.PolicyAsync(e.BuiltInZoneId, 0, 0);

        e.Advance(TimeSpan.FromHours(6));
        await e.RunAsync();

        var pastTasks = await e.TasksAsync(past);
        Assert.Equal("failed", Status(Of(pastTasks, "grant")));
        Assert.Equal("missed", Of(pastTasks, "grant").GetProperty("failureReason").GetString());
        Assert.Equal("executed", Status(Of(pastTasks, "revoke")));
        Assert.Equal("executed", Status(Of(await e.TasksAsync(ongoing), "grant")));
        Assert.True((await e.DecideAsync(ada, e.Now)).Allowed);

        var series = await e.Admin.GetJsonAsync($"/api/v1/event-series/{e.SeriesId}");
        Assert.Equal(1, series.GetProperty("alert").GetProperty("failedTasks").GetInt32());
        await (await e.Admin.PostJsonAsync($"/api/v1/event-tasks/{Of(pastTasks, "grant").Id()}/acknowledge", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await e.Admin.GetJsonAsync($"/api/v1/event-series/{e.SeriesId}")).GetProperty("alert").ValueKind);
    }

    [Fact]
    public async Task CrashBetweenClaimAndCompletion_NeitherLosesNorDoublesTheGrant()
    {
        var e = await CreateAsync(server);
        var ada = await e.PersonAsync();
        var session = await e.SessionAsync(e.Now.AddMinutes(30));
        await e.AttendAsync(ada);
        await e.PolicyAsync(e.BuiltInZoneId, 60, 0);
        var runner = server.Services.GetRequiredService<AccessTaskRunner>();
        var now = NodaTime.Instant.FromDateTimeOffset(e.Now);

        // A runner claims the grant and dies before completing it.
        var claimed = await runner.ClaimDueAsync(Guid.NewGuid(), now, 1000, TestContext.Current.CancellationToken);
        Assert.Contains(Of(await e.TasksAsync(session), "grant").Id(), claimed);
        await e.RunAsync();
        Assert.NotEqual("executed", Status(Of(await e.TasksAsync(session), "grant")));

        // Its lease expires; another pass runs the task once.
        e.Advance(TimeSpan.FromMinutes(2));
        await e.RunAsync();
        Assert.Equal("executed", Status(Of(await e.TasksAsync(session), "grant")));
        Assert.True((await e.DecideAsync(ada, e.Now)).Allowed);

        // Running the same grant again (a redelivery) updates the hold instead of adding a second grant.
        var grant = Of(await e.TasksAsync(session), "grant").Id();
        // Staged as the database looks when a node crashed after the provider call, before the outcome was saved:
        // the task is still pending. (No entity method may move an executed task back; this is not a transition.)
        await server.QueryAsync(db => db.Set<AccessTask>().Where(t => t.Id == grant)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, Portier.Core.EventPolicies.AccessTaskStatus.Pending), TestContext.Current.CancellationToken));
        await e.RunAsync();
        Assert.Equal(1, await server.CountAsync<EventAccessHold>(h => h.PersonId == ada));
        Assert.Equal(1, await server.CountAsync<Portier.Server.Features.Grants.Grant>(g => g.PersonId == ada));
    }

    [Fact]
    public async Task WebhookProvider_SignsGrantCalls_AndEachFailureCauseBehavesAsTheManualSays()
    {
        await using var receiver = new WebhookReceiver();
        receiver.Answer = call => call.Body.Contains("zones.list", StringComparison.Ordinal)
            ? new ReceiverAnswer(200, """{"zones":[{"id":"front","name":"Front door"},{"id":"lab","name":"Lab"}]}""")
            : new ReceiverAnswer(200);
        var e = await CreateAsync(server);
        var ada = await e.PersonAsync();
        var created = await (await e.Admin.PostJsonAsync("/api/v1/providers", new { siteId = e.SiteId, name = "Acme", kind = "webhook", url = receiver.Url, apiKey = "key-1" }))
            .ExpectAsync(HttpStatusCode.Created);
        var provider = created.Id();
        var secret = created.GetProperty("signingSecret").GetString()!;
        Assert.True(created.GetProperty("capabilities").GetProperty("signedCalls").GetBoolean());
        Assert.True((await (await e.Admin.PostJsonAsync($"/api/v1/providers/{provider}/test", new { })).ExpectAsync(HttpStatusCode.OK)).GetProperty("ok").GetBoolean());
        var synced = await (await e.Admin.PostJsonAsync($"/api/v1/providers/{provider}/zones/sync", new { })).ExpectAsync(HttpStatusCode.OK);
        var zones = synced.GetProperty("zones").EnumerateArray().ToDictionary(z => z.GetProperty("externalId").GetString()!, z => z.Id());
        await e.AttendAsync(ada);
        await e.PolicyAsync(zones["front"], 30, 0);
        var lab = (await e.PolicyAsync(zones["lab"], 30, 0)).Id();

        // Success: signed, with the task id as webhook-id and the credentials as bearer token.
        var ok = await e.SessionAsync(e.Now.AddMinutes(10));
        receiver.Calls.Clear();
        await e.RunAsync();
        var grantCall = receiver.Calls.First(c => c.Body.Contains("\"front\"", StringComparison.Ordinal));
        Assert.Equal(StandardWebhooks.Sign(secret, grantCall.Id, long.Parse(grantCall.Timestamp, System.Globalization.CultureInfo.InvariantCulture), grantCall.Body), grantCall.Signature);
        Assert.Equal("Bearer key-1", grantCall.Authorization);
        Assert.Contains("access.grant", grantCall.Body, StringComparison.Ordinal);
        Assert.Contains(Of((await e.TasksAsync(ok)).Where(t => t.GetProperty("zoneName").GetString() == "Front door").ToList(), "grant").Id().ToString(), grantCall.Id, StringComparison.Ordinal);
        // Deleting a policy whose grant already ran revokes that access now.
        await (await e.Admin.RemoveAsync($"/api/v1/event-policies/{lab}")).ExpectAsync(HttpStatusCode.NoContent);
        receiver.Calls.Clear();
        await e.RunAsync();
        Assert.Contains(receiver.Calls, c => c.Body.Contains("access.revoke", StringComparison.Ordinal) && c.Body.Contains("\"lab\"", StringComparison.Ordinal));

        // 401: credentials expired, no automatic retry, provider unhealthy.
        var failures = new List<(int Status, string Reason)> { (401, "provider_credentials_expired"), (404, "zone_removed") };
        foreach (var (status, reason) in failures)
        {
            receiver.Answer = _ => new ReceiverAnswer(status);
            var session = await e.SessionAsync(e.Now.AddMinutes(10));
            await e.RunAsync();
            var grant = Of(await e.TasksAsync(session), "grant");
            Assert.Equal("failed", Status(grant));
            Assert.Equal(reason, grant.GetProperty("failureReason").GetString());
            Assert.Equal(["retry", "acknowledge"], grant.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        }
        Assert.Equal("unhealthy", (await e.Admin.GetJsonAsync($"/api/v1/providers/{provider}")).GetProperty("health").GetString());
        var policies = await e.Admin.GetJsonAsync($"/api/v1/event-series/{e.SeriesId}/policies");
        Assert.False(policies.EnumerateArray().Single().GetProperty("zoneActive").GetBoolean());
        var review = await e.Admin.GetJsonAsync($"/api/v1/integrations/failures?seriesId={e.SeriesId}");
        Assert.Equal(2, review.GetProperty("total").GetInt32());
        Assert.Contains(review.GetProperty("items").EnumerateArray(), i => i.GetProperty("fix").GetString()!.Contains("credentials", StringComparison.Ordinal));
        Assert.Equal(2, (await e.Admin.GetJsonAsync($"/api/v1/event-series/{e.SeriesId}")).GetProperty("alert").GetProperty("failedTasks").GetInt32());

        // Re-sync brings the zone back; Retry after fixing the cause executes.
        receiver.Answer = call => call.Body.Contains("zones.list", StringComparison.Ordinal)
            ? new ReceiverAnswer(200, """{"zones":[{"id":"front","name":"Front door"}]}""")
            : new ReceiverAnswer(200);
        await (await e.Admin.PostJsonAsync($"/api/v1/providers/{provider}/zones/sync", new { })).ExpectAsync(HttpStatusCode.OK);
        foreach (var item in review.GetProperty("items").EnumerateArray())
        {
            var retried = await (await e.Admin.PostJsonAsync($"/api/v1/event-tasks/{item.GetProperty("task").Id()}/retry", new { })).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(1, retried.GetProperty("retries").GetInt32());
        }
        await e.RunAsync();
        Assert.Equal(0, (await e.Admin.GetJsonAsync($"/api/v1/integrations/failures?seriesId={e.SeriesId}")).GetProperty("total").GetInt32());

        // 429: retried automatically, not before Retry-After, then executed.
        var calls = 0;
        receiver.Answer = _ => Interlocked.Increment(ref calls) == 1 ? new ReceiverAnswer(429, RetryAfter: "120") : new ReceiverAnswer(200);
        var limited = await e.SessionAsync(e.Now.AddMinutes(10));
        await e.RunAsync();
        var waiting = Of(await e.TasksAsync(limited), "grant");
        Assert.Equal(("scheduled", 1, "rate_limited"), (Status(waiting), waiting.GetProperty("retries").GetInt32(), waiting.GetProperty("failureReason").GetString()));
        Assert.Equal(e.Now.AddSeconds(120), waiting.GetProperty("nextAttemptAt").GetDateTimeOffset());
        e.Advance(TimeSpan.FromSeconds(119));
        await e.RunAsync();
        Assert.Equal(1, calls);
        e.Advance(TimeSpan.FromSeconds(1));
        await e.RunAsync();
        Assert.Equal("executed", Status(Of(await e.TasksAsync(limited), "grant")));

        // Connection refused: the endpoint is unreachable.
        await (await e.Admin.PutJsonAsync($"/api/v1/providers/{provider}", new { siteId = e.SiteId, name = "Acme", kind = "webhook", url = WebhookReceiver.RefusingUrl() }))
            .ExpectAsync(HttpStatusCode.OK);
        var refused = await e.SessionAsync(e.Now.AddMinutes(10));
        await e.RunAsync();
        // An outage, not a refusal: the grant is retried automatically while its window is open.
        var unreachable = Of(await e.TasksAsync(refused), "grant");
        Assert.Equal(("scheduled", "provider_unreachable"), (Status(unreachable), unreachable.GetProperty("failureReason").GetString()));
        Assert.Contains("connection refused", unreachable.GetProperty("failureDetail").GetString(), StringComparison.Ordinal);
        Assert.True(unreachable.GetProperty("nextAttemptAt").GetDateTimeOffset() > e.Now);
        await (await e.Admin.PostJsonAsync($"/api/v1/event-tasks/{unreachable.Id()}/cancel", new { })).ExpectAsync(HttpStatusCode.OK);
        var test = await (await e.Admin.PostJsonAsync($"/api/v1/providers/{provider}/test", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.False(test.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task ProviderUpdate_WithoutApiKey_KeepsTheStoredKey_RemoveApiKeyRemovesIt()
    {
        var e = await CreateAsync(server);
        var provider = (await (await e.Admin.PostJsonAsync("/api/v1/providers", new { siteId = e.SiteId, name = "Acme", kind = "webhook", url = "https://acme.example/hook", apiKey = "key-1" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();

        var renamed = await (await e.Admin.PutJsonAsync($"/api/v1/providers/{provider}", new { siteId = e.SiteId, name = "Acme EU", kind = "webhook", url = "https://eu.acme.example/hook" }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("Acme EU", "https://eu.acme.example/hook", true),
            (renamed.GetProperty("name").GetString(), renamed.GetProperty("url").GetString(), renamed.GetProperty("hasApiKey").GetBoolean()));
        await (await e.Admin.PutJsonAsync($"/api/v1/providers/{provider}", new { siteId = e.SiteId, name = "Acme EU", kind = "webhook", url = "https://eu.acme.example/hook", apiKey = "key-2", removeApiKey = true }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var removed = await (await e.Admin.PutJsonAsync($"/api/v1/providers/{provider}", new { siteId = e.SiteId, name = "Acme EU", kind = "webhook", url = "https://eu.acme.example/hook", removeApiKey = true }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.False(removed.GetProperty("hasApiKey").GetBoolean());
    }

    [Fact]
    public async Task TemporaryAuthorizations_ListsTheSitesDistinctValuesSorted_OnlyForItsSite()
    {
        var e = await CreateAsync(server);
        var other = await CreateAsync(server);
        await e.PolicyAsync(e.BuiltInZoneId, 30, 15, "Workshop");
        foreach (var tag in new[] { "Building Access", " Building Access ", null })
            await e.PolicyAsync(e.BuiltInZoneId, 30, 15, tag, await SeriesAsync(e));
        await other.PolicyAsync(other.BuiltInZoneId, 30, 15, "Other site pass");
        var url = $"/api/v1/event-policies/temporary-authorizations?siteId={e.SiteId}";

        Assert.Equal(["Building Access", "Workshop"], (await e.Admin.GetJsonAsync(url)).Strings());
        var ct = TestContext.Current.CancellationToken;
        await (await e.Admin.GetAsync($"/api/v1/event-policies/temporary-authorizations?siteId={Guid.NewGuid()}", ct)).ExpectAsync(HttpStatusCode.NotFound);
        var otherSiteOnly = server.WithToken(await e.Admin.CreateTokenAsync(["access_control:manage"], [other.SiteId]));
        await (await otherSiteOnly.GetAsync(url, ct)).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(["Other site pass"], (await otherSiteOnly.GetJsonAsync($"/api/v1/event-policies/temporary-authorizations?siteId={other.SiteId}")).Strings());
        var eventsOnly = server.WithToken(await e.Admin.CreateTokenAsync(["events:read", "events:write"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await eventsOnly.GetAsync(url, ct)).StatusCode);
    }

    private static async Task<Guid> SeriesAsync(EventSetup e) =>
        (await (await e.Admin.PostJsonAsync("/api/v1/event-series", new { siteId = e.SiteId, name = "Another series" })).ExpectAsync(HttpStatusCode.Created)).Id();

    [Fact]
    public async Task AccessControl_RequiresManageAccessControlPermission()
    {
        var e = await CreateAsync(server);
        var reader = server.WithToken(await e.Admin.CreateTokenAsync(["events:read", "events:write"]));
        await reader.GetJsonAsync($"/api/v1/event-series/{e.SeriesId}");
        var response = await reader.GetAsync($"/api/v1/event-series/{e.SeriesId}/policies", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

public sealed class EventAccessSqliteTests(SqliteServerFixture fixture) : EventAccessTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class EventAccessPostgresTests(PostgresServerFixture fixture) : EventAccessTests(fixture.Server), IClassFixture<PostgresServerFixture>;
