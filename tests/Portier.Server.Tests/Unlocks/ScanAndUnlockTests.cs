using System.Text.Json;
using System.Net;
using Portier.Core.Devices;
using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Unlocks;

/// <summary>Cards at a real controller over MQTT, member unlocks from the app, and the admin override, end to end.</summary>
public abstract class ScanAndUnlockTests(PortierServer server)
{
    private async Task<AccessScenario> OpenHoursScenarioAsync(int? cardMaxUses = null)
    {
        var scenario = await AccessScenario.CreateAsync(server, cardMaxUses);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        return scenario;
    }

    private static Task<MQTTnet.MqttClientPublishResult> ScanAsync(AccessScenario scenario, string card = AccessScenario.Card) =>
        scenario.Device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, card), DateTimeOffset.UnixEpoch));

    [Fact]
    public async Task Scan_MemberCardInHours_UnlocksForHoldTime_AndLogsConfirmedUnlock()
    {
        await using var scenario = await OpenHoursScenarioAsync();

        var acked = scenario.AckNextCommandAsync();
        await ScanAsync(scenario, "0a:1b:2c:3d");
        var command = await acked;

        Assert.Equal(CommandType.Unlock, command.Type);
        Assert.Equal(10, command.HoldSeconds);
        var logged = await scenario.SettledEventAsync();
        Assert.True(logged.GetProperty("allowed").GetBoolean());
        Assert.Equal("granted", logged.GetProperty("reason").GetString());
        Assert.Equal("rule", logged.GetProperty("path").GetString());
        Assert.Equal("confirmed_unlocked", logged.GetProperty("outcome").GetString());
        Assert.Equal(scenario.PersonId, logged.GetProperty("personId").GetGuid());
        Assert.Equal(scenario.CardId, logged.GetProperty("credentialId").GetGuid());
        // The command went out with the attempt's commit and was settled with the outcome's.
        var stored = await StoredCommandAsync(command.CommandId);
        Assert.Equal(CommandStatus.Confirmed, stored.Status);
        Assert.NotNull(stored.AckAt);
        Assert.Equal(1, (await scenario.Admin.GetJsonAsync($"/api/v1/credentials/{scenario.CardId}")).GetProperty("useCount").GetInt32());
    }

    [Fact]
    public async Task Scan_RightAfterTheDoorIsSaved_UsesTheSavedHoldTime()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        var first = scenario.AckNextCommandAsync();
        await ScanAsync(scenario);
        Assert.Equal(10, (await first).HoldSeconds);

        await (await scenario.Admin.PutJsonAsync($"/api/v1/doors/{scenario.DoorId}",
            new { siteId = scenario.SiteId, name = "Front door", zoneId = scenario.ZoneId, holdTimeSeconds = 4 })).ExpectAsync(HttpStatusCode.OK);
        var second = scenario.AckNextCommandAsync();
        await ScanAsync(scenario);

        Assert.Equal(4, (await second).HoldSeconds);
    }

    [Fact]
    public async Task Scan_RightAfterTheDoorLeavesItsZone_CountsNoEntry()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        var first = scenario.AckNextCommandAsync();
        await ScanAsync(scenario);
        await first;
        Assert.Equal(scenario.ZoneId, (await scenario.SettledEventAsync()).GetProperty("zoneId").GetGuid());
        var zone = $"/api/v1/zones/{scenario.ZoneId}";
        Assert.Equal(1, (await scenario.Admin.GetJsonAsync(zone)).GetProperty("currentCount").GetInt32());

        await (await scenario.Admin.PutJsonAsync($"/api/v1/doors/{scenario.DoorId}",
            new { siteId = scenario.SiteId, name = "Front door" })).ExpectAsync(HttpStatusCode.OK);
        var second = scenario.AckNextCommandAsync();
        await ScanAsync(scenario);
        await second;

        var logged = await scenario.SettledEventAsync(e => e.GetProperty("zoneId").ValueKind == JsonValueKind.Null);
        Assert.Equal("confirmed_unlocked", logged.GetProperty("outcome").GetString());
        Assert.Equal(1, (await scenario.Admin.GetJsonAsync(zone)).GetProperty("currentCount").GetInt32());
    }

    private async Task<DeviceCommand> StoredCommandAsync(Guid commandId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DeviceCommand>().AsNoTracking()
            .SingleAsync(c => c.Id == commandId, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Scan_UnknownCard_IsDeniedAtTheReaderWithTheReason()
    {
        await using var scenario = await OpenHoursScenarioAsync();

        await ScanAsync(scenario, "FFFF0000");
        var command = await scenario.Device.NextCommandAsync();

        Assert.Equal(CommandType.Deny, command.Type);
        Assert.Equal("invalid_credential", command.Reason);
        var logged = await scenario.SettledEventAsync();
        Assert.False(logged.GetProperty("allowed").GetBoolean());
        Assert.Equal("FFFF0000", logged.GetProperty("presentedValue").GetString());
    }

    [Fact]
    public async Task Scan_ControllerNeverAcks_IsLoggedAsTimedOut()
    {
        await using var scenario = await OpenHoursScenarioAsync();

        await ScanAsync(scenario);
        var command = await scenario.Device.NextCommandAsync();
        server.Clock.Advance(TimeSpan.FromSeconds(6));

        var logged = await scenario.SettledEventAsync();
        Assert.True(logged.GetProperty("allowed").GetBoolean());
        Assert.Equal("timed_out", logged.GetProperty("outcome").GetString());
        Assert.Equal(CommandStatus.TimedOut, (await StoredCommandAsync(command.CommandId)).Status);
    }

    [Fact]
    public async Task Scan_LimitedCard_CountsOnlyGrantedUses()
    {
        await using var scenario = await OpenHoursScenarioAsync(cardMaxUses: 1);
        await (await scenario.Admin.PutJsonAsync($"/api/v1/doors/{scenario.DoorId}/maintenance", new { mode = "force_closed" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(CommandType.LockDown, (await scenario.Device.NextCommandAsync()).Type);

        await ScanAsync(scenario);
        Assert.Equal("door_force_closed", (await scenario.Device.NextCommandAsync()).Reason);
        await (await scenario.Admin.PutJsonAsync($"/api/v1/doors/{scenario.DoorId}/maintenance", new { mode = "normal" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(CommandType.Release, (await scenario.Device.NextCommandAsync()).Type);

        var acked = scenario.AckNextCommandAsync();
        await ScanAsync(scenario);
        Assert.Equal(CommandType.Unlock, (await acked).Type);
        await scenario.SettledEventAsync(e => e.GetProperty("allowed").GetBoolean());

        await ScanAsync(scenario);
        Assert.Equal("max_uses_reached", (await scenario.Device.NextCommandAsync()).Reason);
        var card = await scenario.Admin.GetJsonAsync($"/api/v1/credentials/{scenario.CardId}");
        Assert.Equal(1, card.GetProperty("useCount").GetInt32());
    }

    [Fact]
    public async Task AppUnlock_FollowsTheGeofence_AndOpensInsideIt()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        var (_, app) = await server.SignInMemberAsync(scenario.Admin, scenario.SiteId);
        var url = $"/api/v1/doors/{scenario.DoorId}/unlock";

        Assert.Equal("location_unavailable", (await (await app.PostJsonAsync(url, new { })).ExpectAsync(HttpStatusCode.OK)).GetProperty("reason").GetString());
        Assert.Equal("gps_too_imprecise", (await (await app.PostJsonAsync(url, new { location = new { latitude = AccessScenario.Latitude, longitude = AccessScenario.Longitude, accuracyMeters = 500 } }))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("reason").GetString());
        // About 1.1 km north: far beyond 100 m radius + 10 m accuracy + 25 m buffer.
        Assert.Equal("outside_geofence", (await (await app.PostJsonAsync(url, new { location = new { latitude = AccessScenario.Latitude + 0.01, longitude = AccessScenario.Longitude, accuracyMeters = 10 } }))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("reason").GetString());

        var acked = scenario.AckNextCommandAsync();
        // About 120 m away: outside the radius but within radius + accuracy + buffer.
        var inside = await (await app.PostJsonAsync(url, new { location = new { latitude = AccessScenario.Latitude + 0.00108, longitude = AccessScenario.Longitude, accuracyMeters = 10 } }))
            .ExpectAsync(HttpStatusCode.OK);
        await acked;
        Assert.True(inside.GetProperty("allowed").GetBoolean());
        Assert.Equal("confirmed_unlocked", inside.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task AppUnlock_ControllerSilentForMoreThanFiveMinutes_IsDeviceOffline()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        var (_, app) = await server.SignInMemberAsync(scenario.Admin, scenario.SiteId);

        server.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var answer = await (await app.PostJsonAsync($"/api/v1/doors/{scenario.DoorId}/unlock",
            new { location = new { latitude = AccessScenario.Latitude, longitude = AccessScenario.Longitude, accuracyMeters = 5 } })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("device_offline", answer.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AppUnlock_AnotherSitesDoor_Answers404()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        var (_, app) = await server.SignInMemberAsync(scenario.Admin, await scenario.Admin.CreateSiteAsync());

        await (await app.PostJsonAsync($"/api/v1/doors/{scenario.DoorId}/unlock", new { })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task AdminOpen_ForceClosedDoor_OpensAnyway_AndIsLoggedWithTheAdmin()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        await (await scenario.Admin.PutJsonAsync($"/api/v1/doors/{scenario.DoorId}/maintenance", new { mode = "force_closed" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(CommandType.LockDown, (await scenario.Device.NextCommandAsync()).Type);
        var operatorToken = server.WithToken(await scenario.Admin.CreateTokenAsync(["doors:open"]));

        var acked = scenario.AckNextCommandAsync();
        var answer = await (await operatorToken.PostJsonAsync($"/api/v1/doors/{scenario.DoorId}/open", new { })).ExpectAsync(HttpStatusCode.OK);
        await acked;

        Assert.True(answer.GetProperty("allowed").GetBoolean());
        Assert.Equal("admin_override", answer.GetProperty("path").GetString());
        Assert.Equal("confirmed_unlocked", answer.GetProperty("outcome").GetString());
        var logged = await scenario.SettledEventAsync();
        Assert.Equal("admin_override", logged.GetProperty("method").GetString());
        Assert.NotEqual(JsonValueKindNull, logged.GetProperty("adminId").ValueKind);
        await (await server.WithToken(await scenario.Admin.CreateTokenAsync(["doors:read"])).PostJsonAsync($"/api/v1/doors/{scenario.DoorId}/open", new { }))
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task AdminOpen_AnotherSitesOrUnknownDoor_Answers404_AndRecordsNothing()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        var elsewhere = server.WithToken(await scenario.Admin.CreateTokenAsync(["doors:open"], [await scenario.Admin.CreateSiteAsync()]));

        await (await elsewhere.PostJsonAsync($"/api/v1/doors/{scenario.DoorId}/open", new { })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await scenario.Admin.PostJsonAsync($"/api/v1/doors/{Guid.NewGuid()}/open", new { })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.False(await server.QueryAsync(db => db.Set<AccessEvent>().AnyAsync(e => e.DoorId == scenario.DoorId, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task AdminOpen_DoorCreatedAMomentAgo_IsFoundAndOpened()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        var door = (await (await scenario.Admin.PostJsonAsync("/api/v1/doors", new { siteId = scenario.SiteId, name = "New door" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();

        var answer = await (await scenario.Admin.PostJsonAsync($"/api/v1/doors/{door}/open", new { })).ExpectAsync(HttpStatusCode.OK);

        // Decided and recorded at the new door (no controller serves it yet, so nothing is sent).
        var eventId = answer.GetProperty("eventId").GetGuid();
        Assert.True(await server.QueryAsync(db => db.Set<AccessEvent>().AnyAsync(e => e.Id == eventId && e.DoorId == door, TestContext.Current.CancellationToken)));
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}

public sealed class ScanAndUnlockSqliteTests(SqliteUnlocksFixture fixture) : ScanAndUnlockTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class ScanAndUnlockPostgresTests(PostgresUnlocksFixture fixture) : ScanAndUnlockTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
