using System.Net;
using System.Text.Json;
using Portier.Core.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.DoorOps;

/// <summary><c>GET /api/v1/door-states</c>: each door's live state from its controller, sensor, alarms and settings.</summary>
public abstract class DoorStatesApiTests(PortierServer server)
{
    private readonly PortierServer _server = server;
    private readonly HttpClient _admin = server.Admin();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<JsonElement> StateAsync(Guid doorId) =>
        Assert.Single((await _admin.GetJsonAsync($"/api/v1/door-states?doorId={doorId}")).EnumerateArray());

    [Fact]
    public async Task DoorStates_FollowTheSensorTheAlarmAndMaintenance()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;
        Assert.Equal("offline", (await StateAsync(paired.DoorId)).GetProperty("state").GetString());
        await device.HeartbeatAsync();

        var locked = await StateAsync(paired.DoorId);
        Assert.Equal("locked", locked.GetProperty("state").GetString());
        Assert.Equal("normal", locked.GetProperty("severity").GetString());
        Assert.Equal("online", locked.GetProperty("controller").GetString());

        await device.ReportDoorAsync(DoorPosition.Open);
        var forced = await StateAsync(paired.DoorId);
        Assert.Equal(("forced_open", "alarm", "forced open"),
            (forced.GetProperty("state").GetString(), forced.GetProperty("severity").GetString(), forced.GetProperty("label").GetString()));
        Assert.Equal("forced_open", Assert.Single(forced.GetProperty("standingAlarms").EnumerateArray()).GetString());
        Assert.True(forced.GetProperty("open").GetBoolean());

        await device.ReportDoorAsync(DoorPosition.Closed);
        Assert.Equal("locked", (await StateAsync(paired.DoorId)).GetProperty("state").GetString());

        (await _server.SetMaintenanceAsync(paired.DoorId, "force_closed")).EnsureSuccessStatusCode();
        var maintenance = await StateAsync(paired.DoorId);
        Assert.Equal(("maintenance", "maintenance: locked shut"), (maintenance.GetProperty("state").GetString(), maintenance.GetProperty("label").GetString()));
        (await _server.SetMaintenanceAsync(paired.DoorId, "normal")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task DoorStates_OfASite_ListEveryDoor_OnlyToThoseWhoMaySeeIt()
    {
        var site = await _admin.CreateSiteAsync("State Works");
        var door = await _admin.CreateDoorAsync(site, "Shed");

        var states = (await _admin.GetJsonAsync($"/api/v1/door-states?siteId={site}")).EnumerateArray().ToList();
        var shed = Assert.Single(states);
        Assert.Equal(door, shed.GetProperty("doorId").GetGuid());
        Assert.Equal(("no_controller", "none"), (shed.GetProperty("state").GetString(), shed.GetProperty("controller").GetString()));

        var otherSite = await _admin.CreateSiteAsync("Elsewhere");
        var outsider = _server.WithToken(await _admin.CreateTokenAsync(["doors:read"], [otherSite]));
        Assert.Empty((await outsider.GetJsonAsync($"/api/v1/door-states?siteId={site}")).EnumerateArray());
        var noDoors = _server.WithToken(await _admin.CreateTokenAsync(["alarms:read"]));
        await (await noDoors.GetAsync($"/api/v1/door-states?siteId={site}", Token)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}

public sealed class DoorStatesApiSqliteTests(SqliteDoorOpsFixture fixture) : DoorStatesApiTests(fixture.Server), IClassFixture<SqliteDoorOpsFixture>;

public sealed class DoorStatesApiPostgresTests(PostgresDoorOpsFixture fixture) : DoorStatesApiTests(fixture.Server), IClassFixture<PostgresDoorOpsFixture>;
