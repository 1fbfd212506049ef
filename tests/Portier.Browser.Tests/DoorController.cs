using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portier.Core.Devices;
using Portier.Core.Model;

namespace Portier.Browser.Tests;

/// <summary>
/// A door controller as the server sees one: created and paired through the API, then connected to
/// the server's MQTT broker with its own credentials, where it publishes scans.
/// </summary>
public sealed class DoorController : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly Guid _id;

    private DoorController(Guid id, IMqttClient client) => (_id, _client) = (id, client);

    public static async Task<DoorController> PairAsync(ConsoleFixture fixture, string doorId)
    {
        var device = await fixture.ApiAsync(HttpMethod.Post, "/api/v1/devices", new { doorId, name = "Test controller" });
        var id = device.GetProperty("id").GetGuid();
        var code = (await fixture.ApiAsync(HttpMethod.Post, $"/api/v1/devices/{id}/pairing-code", new { })).GetProperty("code").GetString();
        using var anonymous = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        using var paired = await anonymous.PostAsync("/api/v1/devices/pair", System.Net.Http.Json.JsonContent.Create(new { pairingCode = code, deviceId = id, hardwareId = "hw-browser" }));
        paired.EnsureSuccessStatusCode();
        var password = JsonDocument.Parse(await paired.Content.ReadAsStringAsync()).RootElement.GetProperty("password").GetString();

        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", fixture.Server.MqttPort).WithClientId(id.ToString()).WithCredentials(id.ToString(), password)
            .WithProtocolVersion(MqttProtocolVersion.V500).Build());
        var controller = new DoorController(id, client);
        await controller.PublishAsync(DeviceTopic.Heartbeat, new HeartbeatMessage(TimeProvider.System.GetUtcNow(), "browser-test"));
        return controller;
    }

    /// <summary>A card held to the reader.</summary>
    public Task ScanAsync(string card) =>
        PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, card), TimeProvider.System.GetUtcNow()));

    /// <summary>The door sensor reports the door open or closed (opened with the exit button pressed: a legitimate exit).</summary>
    public Task ReportDoorAsync(DoorPosition position, bool requestToExit = false) =>
        PublishAsync(DeviceTopic.State, new StateMessage(position, TimeProvider.System.GetUtcNow(), requestToExit ? true : null));

    private Task<MqttClientPublishResult> PublishAsync(DeviceTopic topic, DeviceMessage message) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(DeviceProtocol.Topic(_id, topic)).WithPayload(DeviceProtocol.Serialize(message))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    public async ValueTask DisposeAsync()
    {
        await _client.DisconnectAsync();
        _client.Dispose();
    }
}
