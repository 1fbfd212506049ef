using System.Net;
using System.Text.Json;
using NodaTime;
using Portier.Core.Devices;
using Portier.Server.Features.Alarms;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.DoorOps;

public abstract class DoorAlarmTests(PortierServer server)
{
    private readonly PortierServer _server = server;
    private readonly HttpClient _admin = server.Admin();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private Instant Now => Instant.FromDateTimeOffset(_server.Clock.GetUtcNow());

    private async Task<JsonElement[]> AlarmsAsync(Guid doorId, string filter = "") =>
        (await _admin.GetJsonAsync($"/api/v1/alarms?doorId={doorId}{filter}")).GetProperty("items").EnumerateArray().ToArray();

    private Task TickAfterAsync(TimeSpan elapsed)
    {
        _server.Clock.Advance(elapsed);
        return _server.Supervision().TickAsync(Token);
    }

    [Fact]
    public async Task DoorOpens_WithoutAnyUnlock_RaisesForcedOpenOnce_AndClosingClearsItOnce()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;

        await device.ReportDoorAsync(DoorPosition.Open);
        await device.ReportDoorAsync(DoorPosition.Open);

        var raised = Assert.Single(await AlarmsAsync(paired.DoorId));
        Assert.Equal("door_forced_open", raised.GetProperty("kind").GetString());
        Assert.True(raised.GetProperty("standing").GetBoolean());
        Assert.Equal(JsonValueKind.Null, raised.GetProperty("clearedAt").ValueKind);

        await device.ReportDoorAsync(DoorPosition.Closed);
        await device.ReportDoorAsync(DoorPosition.Closed);

        var cleared = Assert.Single(await AlarmsAsync(paired.DoorId));
        Assert.False(cleared.GetProperty("standing").GetBoolean());
        Assert.Empty(await AlarmsAsync(paired.DoorId, "&standing=true"));
        var events = _server.Events();
        Assert.Equal(1, events.Count("raised", paired.DoorId, AlarmKind.DoorForcedOpen));
        Assert.Equal(1, events.Count("cleared", paired.DoorId, AlarmKind.DoorForcedOpen));
        Assert.Equal(2, events.Count("state", paired.DoorId));
    }

    [Fact]
    public async Task DoorOpens_WithRequestToExit_RaisesNothing()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;

        await device.ReportDoorAsync(DoorPosition.Open, requestToExit: true);
        await device.ReportDoorAsync(DoorPosition.Closed);
        // The button pressed first, the door opening right after: also an exit.
        await device.ReportDoorAsync(DoorPosition.Closed, requestToExit: true);
        _server.Clock.Advance(TimeSpan.FromSeconds(2));
        await device.ReportDoorAsync(DoorPosition.Open);
        await device.ReportDoorAsync(DoorPosition.Closed);

        Assert.Empty(await AlarmsAsync(paired.DoorId));
    }

    [Fact]
    public async Task DoorOpens_WithinTheHoldTimeOfAGrantedUnlock_RaisesNothing_AndAfterItRaisesForcedOpen()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;

        _server.Supervision().NoteUnlockGranted(paired.DoorId, Now, Duration.FromSeconds(10));
        _server.Clock.Advance(TimeSpan.FromSeconds(10));
        await device.ReportDoorAsync(DoorPosition.Open);
        await device.ReportDoorAsync(DoorPosition.Closed);
        Assert.Empty(await AlarmsAsync(paired.DoorId));

        _server.Clock.Advance(TimeSpan.FromSeconds(1));
        await device.ReportDoorAsync(DoorPosition.Open);
        Assert.Equal("door_forced_open", Assert.Single(await AlarmsAsync(paired.DoorId)).GetProperty("kind").GetString());
        await device.ReportDoorAsync(DoorPosition.Closed);
    }

    [Fact]
    public async Task DoorHeldOpen_RaisesTheWarningThenTheAlarm_EachOnce_AndClosingClearsBoth()
    {
        var (paired, device) = await _server.DoorWithControllerAsync(openTimeSeconds: 40);
        await using var _ = device;
        _server.Supervision().NoteUnlockGranted(paired.DoorId, Now, Duration.FromSeconds(5));
        await device.ReportDoorAsync(DoorPosition.Open);

        await TickAfterAsync(TimeSpan.FromSeconds(29));
        Assert.Empty(await AlarmsAsync(paired.DoorId));
        await TickAfterAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(["door_held_open_warning"], (await AlarmsAsync(paired.DoorId)).Select(a => a.GetProperty("kind").GetString()));
        await TickAfterAsync(TimeSpan.FromSeconds(9));
        Assert.Single(await AlarmsAsync(paired.DoorId));
        await TickAfterAsync(TimeSpan.FromSeconds(1));
        await TickAfterAsync(TimeSpan.FromSeconds(30));

        var standing = await AlarmsAsync(paired.DoorId, "&standing=true");
        Assert.Equal(["door_held_open", "door_held_open_warning"], standing.Select(a => a.GetProperty("kind").GetString()).Order());
        await device.ReportDoorAsync(DoorPosition.Closed);

        Assert.Empty(await AlarmsAsync(paired.DoorId, "&standing=true"));
        Assert.Equal(2, (await AlarmsAsync(paired.DoorId, "&standing=false")).Length);
        var events = _server.Events();
        foreach (var kind in new[] { AlarmKind.DoorHeldOpenWarning, AlarmKind.DoorHeldOpen })
        {
            Assert.Equal(1, events.Count("raised", paired.DoorId, kind));
            Assert.Equal(1, events.Count("cleared", paired.DoorId, kind));
        }
    }

    [Fact]
    public async Task LatchedDoor_OpenAndHeld_RaisesNothing_UntilTheLatchEnds()
    {
        var (paired, device) = await _server.DoorWithControllerAsync(openTimeSeconds: 20);
        await using var _ = device;
        await (await _server.SetMaintenanceAsync(paired.DoorId, "force_open")).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.LatchOpen);

        await device.ReportDoorAsync(DoorPosition.Open);
        await TickAfterAsync(TimeSpan.FromMinutes(10));
        Assert.Empty(await AlarmsAsync(paired.DoorId));

        // Back to normal with the door still open: its open time starts now.
        await (await _server.SetMaintenanceAsync(paired.DoorId, "normal")).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.Release);
        await TickAfterAsync(TimeSpan.FromSeconds(14));
        Assert.Empty(await AlarmsAsync(paired.DoorId));
        await TickAfterAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("door_held_open_warning", Assert.Single(await AlarmsAsync(paired.DoorId)).GetProperty("kind").GetString());
        await device.ReportDoorAsync(DoorPosition.Closed);
    }

    [Fact]
    public async Task ForceClosedDoor_Opening_RaisesForcedOpen()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;
        await (await _server.SetMaintenanceAsync(paired.DoorId, "force_closed")).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.LockDown);

        await device.ReportDoorAsync(DoorPosition.Open);

        Assert.Equal("door_forced_open", Assert.Single(await AlarmsAsync(paired.DoorId)).GetProperty("kind").GetString());
        await device.ReportDoorAsync(DoorPosition.Closed);
    }

    [Fact]
    public async Task Acknowledge_Once_RecordsWhoAndWhen_ThenAnswers409()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;
        await device.ReportDoorAsync(DoorPosition.Open);
        var alarm = Assert.Single(await AlarmsAsync(paired.DoorId, "&unacknowledged=true"));

        var acknowledged = await (await _admin.PostJsonAsync($"/api/v1/alarms/{alarm.Id()}/acknowledge", new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(_server.Clock.GetUtcNow(), acknowledged.GetProperty("acknowledgedAt").GetDateTimeOffset());
        Assert.False(string.IsNullOrEmpty(acknowledged.GetProperty("acknowledgedBy").GetString()));
        Assert.True(acknowledged.GetProperty("standing").GetBoolean());
        Assert.Empty(await AlarmsAsync(paired.DoorId, "&unacknowledged=true"));
        Assert.Single(await AlarmsAsync(paired.DoorId, "&unacknowledged=false"));
        await (await _admin.PostJsonAsync($"/api/v1/alarms/{alarm.Id()}/acknowledge", new { }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "already_acknowledged");
        await (await _admin.PostJsonAsync($"/api/v1/alarms/{Guid.NewGuid()}/acknowledge", new { }))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(1, _server.Events().Count("acknowledged", paired.DoorId, AlarmKind.DoorForcedOpen));
        await device.ReportDoorAsync(DoorPosition.Closed);
    }

    [Fact]
    public async Task AlarmsApi_PermissionsAndSites_AreEnforced()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;
        await device.ReportDoorAsync(DoorPosition.Open);
        var alarm = Assert.Single(await AlarmsAsync(paired.DoorId));
        var siteId = alarm.GetProperty("siteId").GetGuid();

        var reader = _server.WithToken(await _admin.CreateTokenAsync(["alarms:read"]));
        Assert.Single((await reader.GetJsonAsync($"/api/v1/alarms?siteId={siteId}")).GetProperty("items").EnumerateArray());
        await (await reader.PostJsonAsync($"/api/v1/alarms/{alarm.Id()}/acknowledge", new { })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var otherSite = await _admin.CreateSiteAsync("Elsewhere");
        var outsider = _server.WithToken(await _admin.CreateTokenAsync(["alarms:read", "alarms:write"], [otherSite]));
        Assert.Empty((await outsider.GetJsonAsync($"/api/v1/alarms?doorId={paired.DoorId}")).GetProperty("items").EnumerateArray());
        await (await outsider.PostJsonAsync($"/api/v1/alarms/{alarm.Id()}/acknowledge", new { })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        var noAlarms = _server.WithToken(await _admin.CreateTokenAsync(["doors:read"]));
        await (await noAlarms.GetAsync("/api/v1/alarms", Token)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await device.ReportDoorAsync(DoorPosition.Closed);
    }
}

public sealed class DoorAlarmSqliteTests(SqliteDoorOpsFixture fixture) : DoorAlarmTests(fixture.Server), IClassFixture<SqliteDoorOpsFixture>;

public sealed class DoorAlarmPostgresTests(PostgresDoorOpsFixture fixture) : DoorAlarmTests(fixture.Server), IClassFixture<PostgresDoorOpsFixture>;
