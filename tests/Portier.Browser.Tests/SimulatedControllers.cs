extern alias simulator;

using simulator::Portier.Simulator;

namespace Portier.Browser.Tests;

/// <summary>Door controllers played by the simulator: they heartbeat and acknowledge every command, as real ones do.</summary>
public static class SimulatedControllers
{
    /// <summary>A controller for the door, paired through the API and connected to the embedded broker; it heartbeats and acknowledges.</summary>
    public static async Task<SimulatedDevice> PairAsync(ConsoleFixture fixture, string doorId)
    {
        var device = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/devices", new { doorId, name = "Hall controller" });
        var deviceId = device.GetProperty("id").GetGuid();
        var code = (await fixture.ApiAsync(HttpMethod.Post, $"/api/v1/devices/{deviceId}/pairing-code", new { })).GetProperty("code").GetString();
        using var anonymous = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        using var pairing = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(anonymous, "/api/v1/devices/pair",
            new { pairingCode = code, deviceId, hardwareId = "hw-browser-test" });
        pairing.EnsureSuccessStatusCode();
        var paired = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(pairing.Content);
        var broker = paired.GetProperty("mqtt");
        var credentials = new DeviceCredentials(deviceId, paired.GetProperty("password").GetString()!, broker.GetProperty("host").GetString()!,
            broker.GetProperty("port").GetInt32());
        var controller = await SimulatedDevice.ConnectAsync(credentials, TimeProvider.System, dropAcks: false, CancellationToken.None);
        await controller.HeartbeatAsync(CancellationToken.None);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if ((await fixture.ApiAsync(HttpMethod.Get, $"/api/v1/devices/{deviceId}")).GetProperty("online").GetBoolean()) return controller;
            await Task.Delay(100);
        }
        throw new InvalidOperationException("The simulated controller did not come online.");
    }
}
