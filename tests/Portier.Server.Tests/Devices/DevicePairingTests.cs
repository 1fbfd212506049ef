using System.Net;
using MQTTnet;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Devices;

public abstract class DevicePairingTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    [Fact]
    public async Task Pair_ValidCode_ReturnsCredentialsThatConnectToTheBroker()
    {
        var (deviceId, doorId) = await server.CreateDeviceAsync();
        var code = await server.IssuePairingCodeAsync(deviceId);

        var body = await (await server.PairAsync(deviceId, code.ToLowerInvariant())).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(deviceId.ToString(), body.GetProperty("username").GetString());
        Assert.Equal($"portier/devices/{deviceId}/", body.GetProperty("mqtt").GetProperty("topicPrefix").GetString());
        Assert.Equal(server.MqttPort, body.GetProperty("mqtt").GetProperty("port").GetInt32());
        var password = body.GetProperty("password").GetString();
        Assert.Equal(MqttClientConnectResultCode.Success, await TestDevice.TryConnectAsync(server.MqttPort, deviceId, password));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await TestDevice.TryConnectAsync(server.MqttPort, deviceId, password + "x"));

        var device = await server.GetDeviceAsync(deviceId);
        Assert.Equal("paired", device.GetProperty("state").GetString());
        Assert.Equal(doorId, device.GetProperty("doorId").GetGuid());
        Assert.False(device.GetProperty("online").GetBoolean());
        var audit = await _admin.GetJsonAsync($"/api/v1/audit?entityId={deviceId}");
        Assert.DoesNotContain(password!, audit.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secretHash", audit.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Pair_CodeAfterTenMinutes_AnswersPairingCodeInvalid()
    {
        var (deviceId, _) = await server.CreateDeviceAsync();
        var code = await server.IssuePairingCodeAsync(deviceId);

        server.Clock.Advance(TimeSpan.FromMinutes(10));

        await (await server.PairAsync(deviceId, code)).ExpectProblemAsync(HttpStatusCode.BadRequest, "pairing_code_invalid");
        Assert.Equal("unpaired", (await server.GetDeviceAsync(deviceId)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Pair_ReusedCode_AnswersPairingCodeInvalid()
    {
        var (deviceId, _) = await server.CreateDeviceAsync();
        var code = await server.IssuePairingCodeAsync(deviceId);
        await (await server.PairAsync(deviceId, code)).ExpectAsync(HttpStatusCode.OK);

        await (await server.PairAsync(deviceId, code)).ExpectProblemAsync(HttpStatusCode.BadRequest, "pairing_code_invalid");
    }

    [Fact]
    public async Task Pair_CodePresentedWithAnotherDevicesId_AnswersPairingCodeInvalidAndKeepsTheCode()
    {
        var (first, _) = await server.CreateDeviceAsync();
        var (second, _) = await server.CreateDeviceAsync();
        var code = await server.IssuePairingCodeAsync(first);

        await (await server.PairAsync(second, code)).ExpectProblemAsync(HttpStatusCode.BadRequest, "pairing_code_invalid");
        await (await server.PairAsync(Guid.NewGuid(), code)).ExpectProblemAsync(HttpStatusCode.BadRequest, "pairing_code_invalid");

        await (await server.PairAsync(first, code)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task IssuePairingCode_Again_ReplacesTheEarlierCode()
    {
        var (deviceId, _) = await server.CreateDeviceAsync();
        var old = await server.IssuePairingCodeAsync(deviceId);
        var current = await server.IssuePairingCodeAsync(deviceId);

        await (await server.PairAsync(deviceId, old)).ExpectProblemAsync(HttpStatusCode.BadRequest, "pairing_code_invalid");
        await (await server.PairAsync(deviceId, current)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateDevice_DoorWithADevice_ConflictsAndOtherSitesDoorIsNotFound()
    {
        var (_, doorId) = await server.CreateDeviceAsync();
        await (await _admin.PostJsonAsync("/api/v1/devices", new { doorId, name = "Second" }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "door_has_device");

        var mine = await _admin.CreateSiteAsync("Mine");
        var limited = server.WithToken(await _admin.CreateTokenAsync(["devices:read", "devices:write"], [mine]));
        await (await limited.PostJsonAsync("/api/v1/devices", new { doorId, name = "Hijack" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "door_not_found");
        var (otherDevice, _) = await server.CreateDeviceAsync();
        await (await limited.PostJsonAsync($"/api/v1/devices/{otherDevice}/pairing-code", new { }))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}

public sealed class DevicePairingSqliteTests(SqliteDevicesFixture fixture) : DevicePairingTests(fixture.Server), IClassFixture<SqliteDevicesFixture>;

public sealed class DevicePairingPostgresTests(PostgresDevicesFixture fixture) : DevicePairingTests(fixture.Server), IClassFixture<PostgresDevicesFixture>;
