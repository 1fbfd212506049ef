using System.Diagnostics;
using System.Net;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Failure;

/// <summary>
/// A controller whose connection drops is offline at once, told by the broker (the embedded broker's
/// own disconnect, or the Last Will an external broker publishes), not five minutes later.
/// </summary>
public static class ConnectionLoss
{
    /// <summary>"At once": the broker notices a closed socket at once; this allows for the test host.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    public static async Task<int> OfflineChangesAsync(PortierServer server, Guid deviceId) =>
        (await server.Admin().GetJsonAsync($"/api/v1/devices/{deviceId}/status-changes")).GetProperty("items").EnumerateArray()
            .Count(c => !c.GetProperty("online").GetBoolean());

    /// <summary>Offline within <see cref="Bound"/>, with exactly one more offline status change recorded than <paramref name="offlineBefore"/>.</summary>
    public static async Task ExpectOfflineAsync(PortierServer server, Guid deviceId, int offlineBefore)
    {
        var watch = Stopwatch.StartNew();
        while ((await server.GetDeviceAsync(deviceId)).GetProperty("online").GetBoolean())
        {
            Assert.True(watch.Elapsed < Bound, $"the device is still online {watch.Elapsed} after its connection dropped");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
        await DeviceKit.EventuallyAsync(async () => await OfflineChangesAsync(server, deviceId) > offlineBefore, "the offline status change is recorded");
        Assert.Equal(offlineBefore + 1, await OfflineChangesAsync(server, deviceId));
    }
}

public abstract class ConnectionLossTests(PortierServer server)
{
    [Fact]
    public async Task ConnectionDrops_OfflineAtOnce_OverrideAnswersDeviceOffline_HeartbeatBringsItBack()
    {
        var scenario = await AccessScenario.CreateAsync(server);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        var offlineBefore = await ConnectionLoss.OfflineChangesAsync(server, scenario.Device.Id);

        scenario.Device.DropConnection();

        await ConnectionLoss.ExpectOfflineAsync(server, scenario.Device.Id, offlineBefore);
        var answer = await (await scenario.Admin.PostJsonAsync($"/api/v1/doors/{scenario.DoorId}/open", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("device_offline", "not_sent"), (answer.GetProperty("reason").GetString(), answer.GetProperty("outcome").GetString()));

        var devicePassword = await RepairAsync(scenario);
        await using var back = await server.ConnectAsync(new PairedDevice(scenario.Device.Id, scenario.DoorId, devicePassword));
        // Back, before any heartbeat: a scan its own reader sends shows it is there and is decided as usual.
        await back.PublishAsync(Portier.Core.Devices.DeviceTopic.Scan, new Portier.Core.Devices.ScanMessage(
            Guid.NewGuid(), new Portier.Core.Devices.PresentedCredential(Portier.Core.Model.CredentialKind.Card, AccessScenario.Card), server.Clock.GetUtcNow()));
        Assert.Equal(Portier.Core.Devices.CommandType.Unlock, (await back.NextCommandAsync()).Type);
        await back.HeartbeatAsync(sentAt: server.Clock.GetUtcNow());
        await DeviceKit.EventuallyAsync(async () => (await server.GetDeviceAsync(scenario.Device.Id)).GetProperty("online").GetBoolean(), "a heartbeat brings it back online");
    }

    /// <summary>The scenario does not keep the device's secret: pairing again issues a new one.</summary>
    private async Task<string> RepairAsync(AccessScenario scenario)
    {
        var paired = await (await server.PairAsync(scenario.Device.Id, await server.IssuePairingCodeAsync(scenario.Device.Id))).ExpectAsync(HttpStatusCode.OK);
        return paired.GetProperty("password").GetString()!;
    }
}

public sealed class ConnectionLossSqliteTests(SqliteUnlocksFixture fixture) : ConnectionLossTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class ConnectionLossPostgresTests(PostgresUnlocksFixture fixture) : ConnectionLossTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;

/// <summary>Through Mosquitto: the controller's Last Will on its status topic tells the server.</summary>
public sealed class ConnectionLossExternalBrokerTests(MosquittoDevicesFixture fixture) : IClassFixture<MosquittoDevicesFixture>
{
    private readonly PortierServer _server = fixture.Server;

    [Fact]
    public async Task ConnectionDrops_LastWillMarksItOfflineAtOnce()
    {
        var paired = await _server.CreatePairedDeviceAsync();
        var device = await TestDevice.ConnectAsync(MosquittoDevicesFixture.Broker.Port, paired.Id, paired.Password, lastWill: true);
        await device.HeartbeatAsync(sentAt: _server.Clock.GetUtcNow());
        await DeviceKit.EventuallyAsync(async () => (await _server.GetDeviceAsync(paired.Id)).GetProperty("online").GetBoolean(), "the heartbeat arrives through the broker");

        device.DropConnection();

        await ConnectionLoss.ExpectOfflineAsync(_server, paired.Id, offlineBefore: 0);
    }
}
