using System.Net;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Devices;

/// <summary>The embedded broker with real MQTTnet device clients on loopback.</summary>
public sealed class MqttGatewayTests(SqliteDevicesFixture fixture) : IClassFixture<SqliteDevicesFixture>
{
    private readonly PortierServer _server = fixture.Server;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Device_PublishingOrSubscribingUnderAnotherDevice_IsRefused()
    {
        var a = await _server.CreatePairedDeviceAsync();
        var b = await _server.CreatePairedDeviceAsync();
        await using var deviceA = await _server.ConnectAsync(a);
        await using var deviceB = await _server.ConnectAsync(b);

        var spoofed = await deviceA.PublishRawAsync(DeviceProtocol.Topic(b.Id, DeviceTopic.Heartbeat),
            DeviceProtocol.Serialize(new HeartbeatMessage(DateTimeOffset.UnixEpoch)));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, spoofed.ReasonCode);
        var forged = await deviceA.PublishRawAsync(DeviceProtocol.Topic(a.Id, DeviceTopic.Command), Encoding.UTF8.GetBytes("{}"));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        foreach (var filter in new[] { DeviceProtocol.Topic(b.Id, DeviceTopic.Command), "portier/devices/+/command", "#" })
        {
            var subscribed = await deviceA.Client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce, Token);
            Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, subscribed.Items.Single().ResultCode);
        }

        var outcome = _server.Commands().SendAndWaitAsync(b.Id, CommandRequest.Unlock(5), Token);
        var command = await deviceB.NextCommandAsync();
        await deviceB.AckAsync(command.CommandId);
        Assert.Equal(CommandStatus.Confirmed, (await outcome).Status);
        Assert.Equal(0, deviceA.CommandsReceived);
        Assert.False((await _server.GetDeviceAsync(b.Id)).GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task Heartbeat_ThenFiveMinutesAndOneSecondOfSilence_GoesOfflineWithRecordedChanges()
    {
        var paired = await _server.CreatePairedDeviceAsync();
        await using var device = await _server.ConnectAsync(paired);
        var auditBefore = (await _server.Admin().GetJsonAsync($"/api/v1/audit?entityId={paired.Id}")).GetProperty("total").GetInt32();

        Assert.Equal(MqttClientPublishReasonCode.Success, (await device.HeartbeatAsync("2.4.1")).ReasonCode);
        Assert.Equal(auditBefore, (await _server.Admin().GetJsonAsync($"/api/v1/audit?entityId={paired.Id}")).GetProperty("total").GetInt32());
        var online = await _server.GetDeviceAsync(paired.Id);
        Assert.True(online.GetProperty("online").GetBoolean());
        Assert.Equal("2.4.1", online.GetProperty("firmware").GetString());

        _server.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await _server.GetDeviceAsync(paired.Id)).GetProperty("online").GetBoolean());
        _server.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False((await _server.GetDeviceAsync(paired.Id)).GetProperty("online").GetBoolean());

        var admin = _server.Admin();
        await DeviceKit.EventuallyAsync(async () =>
        {
            var changes = await admin.GetJsonAsync($"/api/v1/devices/{paired.Id}/status-changes");
            if (changes.GetProperty("total").GetInt32() == 2) return true;
            _server.Clock.Advance(DeviceStatusMonitor.CheckInterval);
            return false;
        }, "the offline change is recorded");
        var items = (await admin.GetJsonAsync($"/api/v1/devices/{paired.Id}/status-changes")).GetProperty("items");
        Assert.False(items[0].GetProperty("online").GetBoolean());
        Assert.True(items[1].GetProperty("online").GetBoolean());
        Assert.Equal(items[1].GetProperty("at").GetDateTimeOffset() + TimeSpan.FromMinutes(5), items[0].GetProperty("at").GetDateTimeOffset());

        await device.HeartbeatAsync();
        Assert.True((await _server.GetDeviceAsync(paired.Id)).GetProperty("online").GetBoolean());
        Assert.Equal(3, (await admin.GetJsonAsync($"/api/v1/devices/{paired.Id}/status-changes")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task DoorState_IsRecordedOnTheDevice()
    {
        var paired = await _server.CreatePairedDeviceAsync();
        await using var device = await _server.ConnectAsync(paired);
        Assert.Equal("unknown", (await _server.GetDeviceAsync(paired.Id)).GetProperty("doorSensor").GetString());

        await device.PublishAsync(DeviceTopic.State, new StateMessage(DoorPosition.Open, DateTimeOffset.UnixEpoch, RequestToExit: true));

        Assert.Equal("open", (await _server.GetDeviceAsync(paired.Id)).GetProperty("doorSensor").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"sentAt":"2026-03-02T09:00:00Z"}""")]
    [InlineData("""{"v":3,"sentAt":"2026-03-02T09:00:00Z"}""")]
    [InlineData("""{"v":1}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"v":1,"sentAt":"2026-03-02T09:00:00Z","firmware":"2.4\u0000"}""")]
    [InlineData(null)]
    public async Task MalformedOrOversizedPayload_IsRefused_WhileOtherDevicesKeepWorking(string? payload)
    {
        var bad = await _server.CreatePairedDeviceAsync();
        var good = await _server.CreatePairedDeviceAsync();
        await using var badDevice = await _server.ConnectAsync(bad);
        await using var goodDevice = await _server.ConnectAsync(good);
        var bytes = payload is null
            ? Encoding.UTF8.GetBytes($$"""{"v":1,"sentAt":"2026-03-02T09:00:00Z","firmware":"{{new string('x', 4100)}}"}""")
            : Encoding.UTF8.GetBytes(payload);

        var refused = await badDevice.PublishRawAsync(DeviceProtocol.Topic(bad.Id, DeviceTopic.Heartbeat), bytes);
        var scan = await badDevice.PublishRawAsync(DeviceProtocol.Topic(bad.Id, DeviceTopic.Scan), bytes);

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, refused.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, scan.ReasonCode);
        Assert.False((await _server.GetDeviceAsync(bad.Id)).GetProperty("online").GetBoolean());
        Assert.Equal(MqttClientPublishReasonCode.Success, (await goodDevice.HeartbeatAsync()).ReasonCode);
        Assert.True((await _server.GetDeviceAsync(good.Id)).GetProperty("online").GetBoolean());
        Assert.True(badDevice.Client.IsConnected);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await badDevice.HeartbeatAsync()).ReasonCode);
    }

    [Fact]
    public async Task Scan_KnownCard_IsAnsweredWithUnlockAndConfirmedByTheAck()
    {
        var paired = await _server.CreatePairedDeviceAsync();
        await using var device = await _server.ConnectAsync(paired);

        var scanId = Guid.NewGuid();
        await device.PublishAsync(DeviceTopic.Scan, new ScanMessage(scanId,
            new PresentedCredential(CredentialKind.Card, KnownCardScanHandler.KnownCard), DateTimeOffset.UnixEpoch, "reader-1"));
        var command = await device.NextCommandAsync();

        Assert.Equal(CommandType.Unlock, command.Type);
        Assert.Equal(KnownCardScanHandler.HoldSeconds, command.HoldSeconds);
        Assert.Equal(scanId, command.ScanId);
        Assert.Equal(_server.Clock.GetUtcNow() + CommandRequest.DefaultTimeout, command.Deadline);
        await device.AckAsync(command.CommandId);
        await DeviceKit.EventuallyAsync(async () => await CommandStatusAsync(paired.Id, command.CommandId) == "confirmed", "the unlock is confirmed");

        await device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(),
            new PresentedCredential(CredentialKind.Card, "9999"), DateTimeOffset.UnixEpoch));
        var deny = await device.NextCommandAsync();
        Assert.Equal(CommandType.Deny, deny.Type);
        Assert.Equal("invalid_credential", deny.Reason);
    }

    [Fact]
    public async Task Unpair_DisconnectsTheDevice_AndTheOldPasswordNoLongerConnects()
    {
        var paired = await _server.CreatePairedDeviceAsync();
        var device = await _server.ConnectAsync(paired);

        await (await _server.Admin().DeleteAsync($"/api/v1/devices/{paired.Id}", Token)).ExpectAsync(HttpStatusCode.NoContent);

        await device.Disconnected.WaitAsync(TimeSpan.FromSeconds(5), Token);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
            await TestDevice.TryConnectAsync(_server.MqttPort, paired.Id, paired.Password));
        Assert.Equal("revoked", (await _server.GetDeviceAsync(paired.Id)).GetProperty("state").GetString());
        await (await _server.Admin().PostJsonAsync($"/api/v1/devices/{paired.Id}/pairing-code", new { }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "device_revoked");
        await device.DisposeAsync();
    }

    [Fact]
    public async Task Connect_WithAnotherDevicesClientId_IsRefused()
    {
        var a = await _server.CreatePairedDeviceAsync();
        var b = await _server.CreatePairedDeviceAsync();

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
            await TestDevice.TryConnectAsync(_server.MqttPort, a.Id, a.Password, clientId: b.Id.ToString()));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
            await TestDevice.TryConnectAsync(_server.MqttPort, a.Id, a.Password, clientId: "portier-server"));
    }

    [Fact]
    public async Task HealthReady_WithTheBrokerRunning_IsHealthy()
    {
        var response = await _server.Anonymous().GetAsync("/health/ready", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Token));
    }

    private async Task<string?> CommandStatusAsync(Guid deviceId, Guid commandId)
    {
        var commands = await _server.Admin().GetJsonAsync($"/api/v1/devices/{deviceId}/commands");
        return commands.GetProperty("items").EnumerateArray()
            .Where(c => c.Id() == commandId).Select(c => c.GetProperty("status").GetString()).FirstOrDefault();
    }
}
