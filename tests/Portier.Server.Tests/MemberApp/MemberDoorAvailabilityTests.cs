using System.Net;
using System.Text.Json;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.MemberApp;

/// <summary>The app's door list decided as a tap would be: the controller's heartbeat and the hours count, not the policy alone.</summary>
public abstract class MemberDoorAvailabilityTests(PortierServer server)
{
    private static JsonElement Listed(JsonElement doors, Guid id) => doors.EnumerateArray().Single(d => d.GetProperty("id").GetGuid() == id);

    [Fact]
    public async Task Doors_OnlineControllerInHours_OfferedWithoutReason()
    {
        await using var scenario = await AccessScenario.CreateAsync(server);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        var (_, app) = await server.SignInMemberAsync(scenario.Admin, scenario.SiteId);

        var door = Listed(await app.GetJsonAsync("/api/v1/app/doors"), scenario.DoorId);

        Assert.True(door.GetProperty("canOpenNow").GetBoolean());
        Assert.Equal(JsonValueKind.Null, door.GetProperty("reason").ValueKind);
        Assert.Equal("Main hall", door.GetProperty("zoneName").GetString());
    }

    [Fact]
    public async Task Doors_DoorWithoutController_ListedAsNotAvailableWithDeviceOffline()
    {
        await using var scenario = await AccessScenario.CreateAsync(server);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        var bare = (await (await scenario.Admin.PostJsonAsync("/api/v1/doors", new { siteId = scenario.SiteId, name = "Side door" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var (_, app) = await server.SignInMemberAsync(scenario.Admin, scenario.SiteId);

        var doors = await app.GetJsonAsync("/api/v1/app/doors");

        var door = Listed(doors, bare);
        Assert.False(door.GetProperty("canOpenNow").GetBoolean());
        Assert.Equal("device_offline", door.GetProperty("reason").GetString());
        Assert.Equal("The door's controller is offline. Please contact the front desk.", door.GetProperty("why").GetString());
        Assert.True(Listed(doors, scenario.DoorId).GetProperty("canOpenNow").GetBoolean());
    }

    [Fact]
    public async Task Doors_OutsideTheRulesHours_ListedWithOutsideAccessHours()
    {
        await using var scenario = await AccessScenario.CreateAsync(server);
        scenario.SetLocalTime(23);
        await scenario.HeartbeatAsync();
        var (_, app) = await server.SignInMemberAsync(scenario.Admin, scenario.SiteId);

        var door = Listed(await app.GetJsonAsync("/api/v1/app/doors"), scenario.DoorId);

        Assert.False(door.GetProperty("canOpenNow").GetBoolean());
        Assert.Equal("outside_access_hours", door.GetProperty("reason").GetString());
        Assert.Equal("You have access here, but not at this time of day.", door.GetProperty("why").GetString());
    }

    [Fact]
    public async Task Doors_ForceClosedDoor_ListedForAMemberTheRulesAdmit_HiddenFromOneWithoutPermission()
    {
        await using var scenario = await AccessScenario.CreateAsync(server);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        await (await scenario.Admin.PutJsonAsync($"/api/v1/doors/{scenario.DoorId}/maintenance", new { mode = "force_closed" })).ExpectAsync(HttpStatusCode.OK);
        var (_, member) = await server.SignInMemberAsync(scenario.Admin, scenario.SiteId);
        var (_, lapsed) = await server.SignInMemberAsync(scenario.Admin, scenario.SiteId, status: "Lapsed");

        var listed = Listed(await member.GetJsonAsync("/api/v1/app/doors"), scenario.DoorId);

        Assert.Equal("door_force_closed", listed.GetProperty("reason").GetString());
        Assert.Equal("This door is locked for maintenance.", listed.GetProperty("why").GetString());
        Assert.Empty((await lapsed.GetJsonAsync("/api/v1/app/doors")).EnumerateArray());
    }
}

public sealed class MemberDoorAvailabilitySqliteTests(SqliteUnlocksFixture fixture) : MemberDoorAvailabilityTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class MemberDoorAvailabilityPostgresTests(PostgresUnlocksFixture fixture) : MemberDoorAvailabilityTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
