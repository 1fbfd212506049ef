using System.Net;
using Portier.Core.Devices;
using Portier.Core.Doors;
using Portier.Server.Features.Devices;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.DoorOps;

public abstract class MaintenanceCommandTests(PortierServer server)
{
    private readonly PortierServer _server = server;

    [Fact]
    public async Task SetMaintenance_EachMode_ReachesTheControllerAsItsCommand()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;

        await (await _server.SetMaintenanceAsync(paired.DoorId, "force_open")).ExpectAsync(HttpStatusCode.OK);
        var latch = await device.ExpectCommandAsync(CommandType.LatchOpen);
        Assert.Equal("force_open", latch.Reason);

        await (await _server.SetMaintenanceAsync(paired.DoorId, "force_closed")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("force_closed", (await device.ExpectCommandAsync(CommandType.LockDown)).Reason);

        await (await _server.SetMaintenanceAsync(paired.DoorId, "normal")).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.Release);

        await DeviceKit.EventuallyAsync(async () => (await _server.LatchAsync(paired.DoorId))?.CommandStatus == CommandStatus.Confirmed,
            "the release is recorded as confirmed");
        Assert.Equal(RelayState.Released, (await _server.LatchAsync(paired.DoorId))!.State);
    }

    [Fact]
    public async Task SetMaintenance_SameModeAgain_SendsNothingMore()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;

        await (await _server.SetMaintenanceAsync(paired.DoorId, "force_closed")).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.LockDown);
        await (await _server.SetMaintenanceAsync(paired.DoorId, "force_closed")).ExpectAsync(HttpStatusCode.OK);
        await _server.Latches().RunDueAsync(TestContext.Current.CancellationToken);

        await device.ExpectNoCommandAsync();
    }

    [Fact]
    public async Task UpdateDoor_ChangingMaintenance_SendsTheCommand()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;
        var admin = _server.Admin();
        var door = await admin.GetJsonAsync($"/api/v1/doors/{paired.DoorId}");

        await (await admin.PutJsonAsync($"/api/v1/doors/{paired.DoorId}",
            new { siteId = door.GetProperty("siteId").GetGuid(), name = "Front door", maintenanceMode = "force_open" })).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.LatchOpen);

        await (await admin.PutJsonAsync($"/api/v1/doors/{paired.DoorId}",
            new { siteId = door.GetProperty("siteId").GetGuid(), name = "Renamed door", maintenanceMode = "force_open" })).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectNoCommandAsync();
    }

    [Fact]
    public async Task Maintenance_WinsOverTheSchedule_AndNormalReturnsToIt()
    {
        // The server clock reads a Monday; the window covers the whole day in Berlin.
        var (paired, device) = await _server.DoorWithControllerAsync(autoUnlock: [DoorOpsKit.Window("monday", "00:00", "24:00"), DoorOpsKit.Window("tuesday", "00:00", "24:00")]);
        await using var _ = device;
        // The door was latched before it had a controller: the controller gets it when first heard from.
        await _server.Latches().RunDueAsync(TestContext.Current.CancellationToken);
        await device.ExpectNoCommandAsync();
        await device.HeartbeatAsync();
        await device.ExpectCommandAsync(CommandType.LatchOpen);

        await (await _server.SetMaintenanceAsync(paired.DoorId, "force_closed")).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.LockDown);
        await _server.Latches().RunDueAsync(TestContext.Current.CancellationToken);
        await device.ExpectNoCommandAsync();

        await (await _server.SetMaintenanceAsync(paired.DoorId, "normal")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("auto_unlock", (await device.ExpectCommandAsync(CommandType.LatchOpen)).Reason);
    }

    [Fact]
    public async Task NewController_OnALockedDownDoor_IsToldOnceWhenHeardFrom()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using (device)
        {
            await (await _server.SetMaintenanceAsync(paired.DoorId, "force_closed")).ExpectAsync(HttpStatusCode.OK);
            await device.ExpectCommandAsync(CommandType.LockDown);
        }
        await (await _server.Admin().RemoveAsync($"/api/v1/devices/{paired.Id}")).ExpectAsync(HttpStatusCode.NoContent);

        var replacement = await _server.CreatePairedDeviceAsync(paired.DoorId);
        await using var connected = await _server.ConnectAsync(replacement);
        await connected.HeartbeatAsync();

        Assert.Equal("force_closed", (await connected.ExpectCommandAsync(CommandType.LockDown)).Reason);
        await connected.HeartbeatAsync();
        await _server.Latches().RunDueAsync(TestContext.Current.CancellationToken);
        await connected.ExpectNoCommandAsync();
    }

    [Fact]
    public async Task Controller_BackOnlineAfterSilence_IsToldItsStateAgainOnce()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;
        await device.HeartbeatAsync();
        await (await _server.SetMaintenanceAsync(paired.DoorId, "force_open")).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.LatchOpen);
        await DeviceKit.EventuallyAsync(async () => (await _server.LatchAsync(paired.DoorId))?.CommandStatus == CommandStatus.Confirmed,
            "the latch is confirmed");
        await device.HeartbeatAsync();
        await device.ExpectNoCommandAsync();

        _server.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await DeviceKit.EventuallyAsync(async () =>
        {
            var changes = await _server.Admin().GetJsonAsync($"/api/v1/devices/{paired.Id}/status-changes");
            if (changes.GetProperty("items")[0].GetProperty("online").GetBoolean() is false) return true;
            _server.Clock.Advance(DeviceStatusMonitor.CheckInterval);
            return false;
        }, "the controller is recorded offline");
        await device.HeartbeatAsync();

        await device.ExpectCommandAsync(CommandType.LatchOpen);
        await device.HeartbeatAsync();
        await device.ExpectNoCommandAsync();
    }

    [Fact]
    public async Task DeleteDoor_WhileLatched_ReleasesItsController()
    {
        var (paired, device) = await _server.DoorWithControllerAsync();
        await using var _ = device;
        await (await _server.SetMaintenanceAsync(paired.DoorId, "force_open")).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.LatchOpen);

        await (await _server.Admin().RemoveAsync($"/api/v1/doors/{paired.DoorId}")).ExpectAsync(HttpStatusCode.NoContent);

        Assert.Equal("door_deleted", (await device.ExpectCommandAsync(CommandType.Release)).Reason);
    }
}

public sealed class MaintenanceCommandSqliteTests(SqliteDoorOpsFixture fixture) : MaintenanceCommandTests(fixture.Server), IClassFixture<SqliteDoorOpsFixture>;

public sealed class MaintenanceCommandPostgresTests(PostgresDoorOpsFixture fixture) : MaintenanceCommandTests(fixture.Server), IClassFixture<PostgresDoorOpsFixture>;
