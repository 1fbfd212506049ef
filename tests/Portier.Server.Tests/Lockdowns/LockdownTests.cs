using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Bundles;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.Events;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Lockdowns;
using Portier.Server.Tests.Bundles;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.DoorOps;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Lockdowns;

/// <summary>
/// Lockdown and evacuation plans end to end: real scans over MQTT, app unlocks, the door's schedule, an
/// event-policy grant, the automatic revert (across a restart and a DST switch) and the controllers' bundles.
/// Each test runs a server of its own: plans cover whole sites, and the revert needs its own clock.
/// </summary>
public abstract class LockdownTests(DatabaseKind kind)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<PortierServer> StartAsync(DateTimeOffset? start = null, TestDatabase? database = null, bool ownsDatabase = true)
    {
        var server = new PortierServer(database ?? await TestDatabase.CreateAsync(kind), DoorOpsKit.Configure, start, ownsDatabase);
        _ = server.Server;
        return server;
    }

    private static async Task<Guid> CreatePlanAsync(HttpClient admin, Guid siteId, object? extra = null, string name = "Drill")
    {
        var body = JsonSerializer.SerializeToElement(new { siteId, name, kind = "lockdown", target = "site", responderTags = new[] { "staff" } });
        var merged = body.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        if (extra is not null)
            foreach (var p in JsonSerializer.SerializeToElement(extra, HttpJsonOptions).EnumerateObject()) merged[p.Name] = p.Value;
        return (await (await admin.PostJsonAsync("/api/v1/lockdowns", merged)).ExpectAsync(HttpStatusCode.Created)).Id();
    }

    private static readonly JsonSerializerOptions HttpJsonOptions = new(JsonSerializerDefaults.Web);

    private static Task<HttpResponseMessage> StartPlanAsync(HttpClient admin, Guid plan) => admin.PostJsonAsync($"/api/v1/lockdowns/{plan}/start", new { });

    private static Task<HttpResponseMessage> EndPlanAsync(HttpClient admin, Guid plan) => admin.PostJsonAsync($"/api/v1/lockdowns/{plan}/end", new { });

    private static Task<MQTTnet.MqttClientPublishResult> ScanAsync(AccessScenario scenario, string card) =>
        scenario.Device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, card), DateTimeOffset.UnixEpoch));

    private static async Task<(string Reason, string Path)> ScanAndSettleAsync(AccessScenario scenario, string card, Guid person)
    {
        var answered = scenario.AckNextCommandAsync();
        await ScanAsync(scenario, card);
        var command = await answered;
        var logged = await scenario.SettledEventAsync(e => e.GetProperty("personId").ValueKind != JsonValueKind.Null && e.GetProperty("personId").GetGuid() == person
            && e.GetProperty("at").GetDateTimeOffset() >= scenario.Server.Clock.GetUtcNow());
        Assert.Equal(logged.GetProperty("allowed").GetBoolean() ? CommandType.Unlock : CommandType.Deny, command.Type);
        return (logged.GetProperty("reason").GetString()!, logged.GetProperty("path").GetString()!);
    }

    [Fact]
    public async Task Plans_ValidateWithStableCodes_AndStartAndEndAreAudited()
    {
        await using var server = await StartAsync();
        var admin = server.Admin();
        var site = await admin.CreateSiteAsync();
        var otherSite = await admin.CreateSiteAsync("Elsewhere");
        var foreignDoor = await admin.CreateDoorAsync(otherSite);

        await (await admin.PostJsonAsync("/api/v1/lockdowns", new { siteId = site, name = "", rank = -1, autoRevertMinutes = 0 }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await admin.PostJsonAsync("/api/v1/lockdowns", new { siteId = site, name = "Wing", target = "doors" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await admin.PostJsonAsync("/api/v1/lockdowns", new { siteId = site, name = "Wing", target = "doors", doorIds = new[] { foreignDoor } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_door");
        await (await admin.PostJsonAsync("/api/v1/lockdowns", new { siteId = site, name = "Wing", kind = "curfew" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_json");
        var plan = await CreatePlanAsync(admin, site);
        await (await admin.PostJsonAsync("/api/v1/lockdowns", new { siteId = site, name = "Drill" })).ExpectProblemAsync(HttpStatusCode.Conflict, "name_taken");

        var started = await (await StartPlanAsync(admin, plan)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(started.GetProperty("active").GetBoolean());
        Assert.Equal(server.Clock.GetUtcNow(), started.GetProperty("startedAt").GetDateTimeOffset());
        await (await StartPlanAsync(admin, plan)).ExpectProblemAsync(HttpStatusCode.Conflict, "plan_already_active");
        await (await admin.RemoveAsync($"/api/v1/lockdowns/{plan}")).ExpectProblemAsync(HttpStatusCode.Conflict, "plan_active");
        Assert.Equal([plan], (await admin.GetJsonAsync($"/api/v1/lockdowns/active?siteId={site}")).EnumerateArray().Select(p => p.Id()));
        var ended = await (await EndPlanAsync(admin, plan)).ExpectAsync(HttpStatusCode.OK);
        Assert.False(ended.GetProperty("active").GetBoolean());
        await (await EndPlanAsync(admin, plan)).ExpectProblemAsync(HttpStatusCode.Conflict, "plan_not_active");
        Assert.Empty((await admin.GetJsonAsync($"/api/v1/lockdowns/active?siteId={site}")).EnumerateArray());

        var audit = (await admin.GetJsonAsync($"/api/v1/audit?entityId={plan}")).Items().ToList();
        Assert.Equal(3, audit.Count);
        Assert.All(audit, a => Assert.False(string.IsNullOrEmpty(a.GetProperty("actor").GetString())));
        Assert.Contains(audit, a => a.GetProperty("after").GetString()!.Contains("\"StartedBy\"", StringComparison.Ordinal)
            && a.GetProperty("after").GetString()!.Contains("StartedAt\":\"2026", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.GetProperty("after").GetString()!.Contains("\"EndedBy\":\"", StringComparison.Ordinal));

        // Only lockdowns:start may start or end.
        var reader = server.WithToken(await admin.CreateTokenAsync(["lockdowns:read", "lockdowns:write"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await StartPlanAsync(reader, plan)).StatusCode);
    }

    [Fact]
    public async Task Lockdown_RefusesCardsAndAppUnlocks_ExceptResponders_OverrideOpens_AndEndRestores()
    {
        await using var server = await StartAsync();
        await using var scenario = await AccessScenario.CreateAsync(server);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        var admin = scenario.Admin;
        var guard = await scenario.CreatePersonAsync("Security", "Current");
        await (await admin.PutJsonAsync($"/api/v1/people/{guard}", new { siteId = scenario.SiteId, name = "Guard", personType = "Security", membershipStatus = "Current", customTags = new[] { "staff" } }))
            .ExpectAsync(HttpStatusCode.OK);
        await (await admin.PostJsonAsync("/api/v1/credentials", new { personId = guard, kind = "card", value = "0BADCAFE" })).ExpectAsync(HttpStatusCode.Created);
        var plan = await CreatePlanAsync(admin, scenario.SiteId);

        await using var live = server.LiveConnection();
        var announced = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        live.On<JsonElement>(LiveEventTypes.LockdownStarted, e => announced.TrySetResult(e));
        await live.StartAsync(Ct);
        await live.InvokeAsync<JsonElement>("Subscribe", new { siteId = scenario.SiteId }, Ct);

        await (await StartPlanAsync(admin, plan)).ExpectAsync(HttpStatusCode.OK);
        var started = await announced.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(plan, started.GetProperty("data").GetProperty("planId").GetGuid());

        Assert.Equal(("lockdown", "none"), await ScanAndSettleAsync(scenario, AccessScenario.Card, scenario.PersonId));
        Assert.Equal(("granted", "rule"), await ScanAndSettleAsync(scenario, "0BADCAFE", guard));

        var (_, app) = await server.SignInMemberAsync(admin, scenario.SiteId);
        var refused = await (await app.PostJsonAsync($"/api/v1/doors/{scenario.DoorId}/unlock",
            new { location = new { latitude = AccessScenario.Latitude, longitude = AccessScenario.Longitude, accuracyMeters = 10 } })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("lockdown", refused.GetProperty("reason").GetString());

        var explained = await (await admin.PostJsonAsync("/api/v1/decisions/explain", new { personId = scenario.PersonId, doorId = scenario.DoorId })).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(explained.GetProperty("checks").EnumerateArray(), c => c.GetProperty("check").GetString() == "lockdown" && c.GetProperty("outcome").GetString() == "failed");

        var opened = scenario.AckNextCommandAsync();
        var overridden = await (await admin.PostJsonAsync($"/api/v1/doors/{scenario.DoorId}/open", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(CommandType.Unlock, (await opened).Type);
        Assert.Equal("lockdown_override", overridden.GetProperty("path").GetString());

        await (await EndPlanAsync(admin, plan)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("granted", "rule"), await ScanAndSettleAsync(scenario, AccessScenario.Card, scenario.PersonId));
    }

    [Fact]
    public async Task Lockdown_DuringAnEventPolicyGrant_RefusesTheAttendee_UntilItEnds()
    {
        await using var server = await StartAsync();
        await using var scenario = await AccessScenario.CreateAsync(server);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        var admin = scenario.Admin;
        var attendee = await scenario.CreatePersonAsync("Attendee", "Registered");
        var now = server.Clock.GetUtcNow();
        var grant = (await (await admin.PostJsonAsync("/api/v1/grants", new { personId = attendee, doorIds = new[] { scenario.DoorId }, validFrom = now.AddHours(-1), validUntil = now.AddHours(1) }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        // What an event access policy's window holds for an attendee: the temporary grant and its authorization tag.
        await server.SeedAsync(new EventAccessHold
        {
            SiteId = scenario.SiteId, WindowId = Guid.NewGuid(), PersonId = attendee, GrantId = grant, Tag = "event-guest",
            ValidFrom = NodaTime.Instant.FromDateTimeOffset(now.AddHours(-1)), ValidUntil = NodaTime.Instant.FromDateTimeOffset(now.AddHours(1)),
        });
        var plan = await CreatePlanAsync(admin, scenario.SiteId, new { target = "doors", doorIds = new[] { scenario.DoorId } });
        async Task<string> ReasonAsync() =>
            (await (await admin.PostJsonAsync("/api/v1/decisions/explain", new { personId = attendee, doorId = scenario.DoorId })).ExpectAsync(HttpStatusCode.OK))
                .GetProperty("reason").GetString()!;
        Assert.Equal("granted", await ReasonAsync());

        await (await StartPlanAsync(admin, plan)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("lockdown", await ReasonAsync());
        await (await EndPlanAsync(admin, plan)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("granted", await ReasonAsync());
    }

    [Fact]
    public async Task Lockdown_ReleasesADoorLatchedByItsSchedule_AndEvacuationLatchesItOpen()
    {
        // 2026-03-02 is a Monday; Berlin is UTC+1: the window is 09:30–11:00 UTC.
        await using var server = await StartAsync(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var (paired, device) = await server.DoorWithControllerAsync(autoUnlock: [DoorOpsKit.Window("monday", "10:30", "12:00")]);
        await using var _ = device;
        var admin = server.Admin();
        var site = (await admin.GetJsonAsync($"/api/v1/doors/{paired.DoorId}")).GetProperty("siteId").GetGuid();
        await server.PassAtAsync(new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.Zero));
        await device.ExpectCommandAsync(CommandType.LatchOpen);

        var lockdown = await CreatePlanAsync(admin, site);
        await (await StartPlanAsync(admin, lockdown)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("lockdown", (await device.ExpectCommandAsync(CommandType.Release)).Reason);
        await server.PassAtAsync(new DateTimeOffset(2026, 3, 2, 9, 40, 0, TimeSpan.Zero));
        await device.ExpectNoCommandAsync();
        var scheduled = (await admin.GetJsonAsync($"/api/v1/access-events?doorId={paired.DoorId}")).Items().Select(e => e.GetProperty("reason").GetString()).ToList();
        Assert.DoesNotContain("lockdown", scheduled);

        // An evacuation of higher rank outranks the lockdown: the door is latched open.
        var evacuation = await CreatePlanAsync(admin, site, new { kind = "evacuation", rank = 5 }, "Fire");
        await (await StartPlanAsync(admin, evacuation)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("evacuation", (await device.ExpectCommandAsync(CommandType.LatchOpen)).Reason);
        await (await EndPlanAsync(admin, evacuation)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("lockdown", (await device.ExpectCommandAsync(CommandType.Release)).Reason);

        // Ended inside the window, the schedule latches the door open again.
        await (await EndPlanAsync(admin, lockdown)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("auto_unlock", (await device.ExpectCommandAsync(CommandType.LatchOpen)).Reason);
    }

    [Fact]
    public async Task AutoRevert_AcrossADstSwitch_EndsAfterTheRealMinutes_EvenWhenTheServerWasDown()
    {
        // Berlin springs forward at 01:00 UTC on 2026-03-29 (02:00 → 03:00 local). Started 00:30 UTC with a
        // 90-minute revert, the plan ends at 02:00 UTC (04:00 local), not at a wall-clock 02:00 + 90 minutes.
        var database = await TestDatabase.CreateAsync(kind);
        var start = new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.Zero);
        Guid plan;
        await using (var first = await StartAsync(start, database, ownsDatabase: false))
        {
            var admin = first.Admin();
            var site = await admin.CreateSiteAsync(timeZone: "Europe/Berlin");
            plan = await CreatePlanAsync(admin, site, new { autoRevertMinutes = 90 });
            var started = await (await StartPlanAsync(admin, plan)).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(start.AddMinutes(90), started.GetProperty("endsAt").GetDateTimeOffset());
            first.Clock.SetUtcNow(start.AddMinutes(89));
            await first.Services.GetRequiredService<LockdownReverter>().RunDueAsync(Ct);
            Assert.True((await admin.GetJsonAsync($"/api/v1/lockdowns/{plan}")).GetProperty("active").GetBoolean());
        }

        // The server is down when the plan is due; it ends it as soon as it is back.
        await using var second = await StartAsync(start.AddMinutes(95), database);
        await DeviceKit.EventuallyAsync(async () => !(await second.Admin().GetJsonAsync($"/api/v1/lockdowns/{plan}")).GetProperty("active").GetBoolean(),
            "the overdue plan is reverted after the restart");
        var ended = await second.Admin().GetJsonAsync($"/api/v1/lockdowns/{plan}");
        Assert.Equal(LockdownReverter.Actor, ended.GetProperty("endedBy").GetString());
        Assert.Equal(start.AddMinutes(95), ended.GetProperty("endedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task ControllerInput_LockdownButton_StartsThePlansNamingTheController()
    {
        await using var server = await StartAsync();
        var (paired, device) = await server.DoorWithControllerAsync();
        await using var _ = device;
        var admin = server.Admin();
        var site = (await admin.GetJsonAsync($"/api/v1/doors/{paired.DoorId}")).GetProperty("siteId").GetGuid();
        var plan = await CreatePlanAsync(admin, site, new { triggerDeviceIds = new[] { paired.Id } });
        var other = await CreatePlanAsync(admin, site, name: "Not this button");

        await device.PublishAsync(DeviceTopic.Input, new InputMessage(InputMessage.Lockdown, DateTimeOffset.UnixEpoch));
        await DeviceKit.EventuallyAsync(async () => (await admin.GetJsonAsync($"/api/v1/lockdowns/{plan}")).GetProperty("active").GetBoolean(),
            "the button starts the plan");
        Assert.StartsWith("controller:", (await admin.GetJsonAsync($"/api/v1/lockdowns/{plan}")).GetProperty("startedBy").GetString(), StringComparison.Ordinal);
        Assert.False((await admin.GetJsonAsync($"/api/v1/lockdowns/{other}")).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Evacuation_ReleasesItsDoors_AndItsMusterListIsWhoEnteredAndDidNotLeave()
    {
        await using var server = await StartAsync();
        await using var scenario = await AccessScenario.CreateAsync(server);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        var admin = scenario.Admin;
        Assert.Equal(("granted", "rule"), await ScanAndSettleAsync(scenario, AccessScenario.Card, scenario.PersonId));
        var plan = await CreatePlanAsync(admin, scenario.SiteId, new { kind = "evacuation", target = "doors", doorIds = new[] { scenario.DoorId } }, "Fire");
        await (await admin.GetAsync($"/api/v1/lockdowns/{plan}/muster", Ct)).ExpectAsync(HttpStatusCode.OK);

        var latched = scenario.AckNextCommandAsync();
        await (await StartPlanAsync(admin, plan)).ExpectAsync(HttpStatusCode.OK);
        var command = await latched;
        Assert.Equal((CommandType.LatchOpen, "evacuation"), (command.Type, command.Reason));

        var muster = await admin.GetJsonAsync($"/api/v1/lockdowns/{plan}/muster");
        Assert.Equal((1, 0), (muster.GetProperty("total").GetInt32(), muster.GetProperty("accounted").GetInt32()));
        Assert.Equal(scenario.PersonId, muster.GetProperty("people")[0].GetProperty("personId").GetGuid());
        var ticked = await (await admin.PutEmptyAsync($"/api/v1/lockdowns/{plan}/muster/{scenario.PersonId}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, ticked.GetProperty("accounted").GetInt32());
        Assert.Equal("Person Member", ticked.GetProperty("people")[0].GetProperty("name").GetString());
        await (await admin.PutEmptyAsync($"/api/v1/lockdowns/{plan}/muster/{Guid.NewGuid()}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        var lockdown = await CreatePlanAsync(admin, scenario.SiteId);
        await (await admin.GetAsync($"/api/v1/lockdowns/{lockdown}/muster", Ct)).ExpectProblemAsync(HttpStatusCode.Conflict, "not_an_evacuation");
    }

    [Fact]
    public async Task Bundle_CarriesTheLockdown_ToAnOnlineController_AndItsEnd()
    {
        await using var server = await StartAsync();
        var admin = server.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await admin.CreateDoorAsync(site);
        var person = await admin.CreatePersonAsync(site);
        await (await admin.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true })).ExpectAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = "04A23F9B" })).ExpectAsync(HttpStatusCode.Created);
        var deviceId = await server.CreateDeviceForDoorAsync(door);
        var paired = await (await server.PairAsync(deviceId, await server.IssuePairingCodeAsync(deviceId))).ExpectAsync(HttpStatusCode.OK);
        var offline = paired.GetProperty("offline");
        var publicKey = Convert.FromBase64String(offline.GetProperty("bundlePublicKey").GetString()!);
        var credentialKey = Convert.FromBase64String(offline.GetProperty("credentialKey").GetString()!);
        await DeviceKit.EventuallyAsync(async () => (await admin.GetAsync($"/api/v1/devices/{deviceId}/bundle", Ct)).IsSuccessStatusCode, "the first bundle is built");
        await using var controller = await OfflineController.ConnectAsync(server.MqttPort, deviceId, paired.GetProperty("password").GetString()!);
        await controller.HeartbeatAsync();
        await DeviceKit.EventuallyAsync(async () => (await server.GetDeviceAsync(deviceId)).GetProperty("online").GetBoolean(), "the controller comes online");
        await controller.SyncAsync(bundleVersion: null);
        await controller.NextTimeAsync();
        var full = await controller.NextVerifiedBundleAsync(publicKey);
        Assert.True(ControllerPolicy.TryApply(null, full, site, deviceId, out var policy, out var error), error);
        await controller.AckAsync(policy.Version);
        Decision Decide(ControllerPolicy p)
        {
            var now = NodaTime.Instant.FromDateTimeOffset(server.Clock.GetUtcNow());
            return EdgeDecisions.Decide(p, p.Doors[door], credentialKey, CredentialKind.Card, "04:a2:3f:9b", now, now, default);
        }
        Assert.True(Decide(policy).Allowed);

        var plan = await CreatePlanAsync(admin, site);
        await (await StartPlanAsync(admin, plan)).ExpectAsync(HttpStatusCode.OK);
        var delta = await controller.NextVerifiedBundleAsync(publicKey);
        Assert.True(delta.IsDelta);
        Assert.Equal(plan, Assert.Single(delta.Lockdowns!).Id);
        Assert.True(ControllerPolicy.TryApply(policy, delta, site, deviceId, out var locked, out error), error);
        await controller.AckAsync(locked.Version);
        Assert.Equal(ReasonCode.Lockdown, Decide(locked).Reason);

        await (await EndPlanAsync(admin, plan)).ExpectAsync(HttpStatusCode.OK);
        var ended = await controller.NextVerifiedBundleAsync(publicKey);
        Assert.Equal([plan], ended.RemovedLockdowns!);
        Assert.True(ControllerPolicy.TryApply(locked, ended, site, deviceId, out var released, out error), error);
        Assert.True(Decide(released).Allowed);
    }
}

public sealed class LockdownSqliteTests() : LockdownTests(DatabaseKind.Sqlite);

public sealed class LockdownPostgresTests() : LockdownTests(DatabaseKind.Postgres);
