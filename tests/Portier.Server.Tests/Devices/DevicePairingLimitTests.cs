using System.Net;
using Microsoft.AspNetCore.Hosting;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Devices;

public sealed class ThreePairingAttemptsFixture() : ServerFixture(DatabaseKind.Sqlite)
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Devices:PairingAttemptsPerMinute", "3");
}

public sealed class DevicePairingLimitTests(ThreePairingAttemptsFixture fixture) : IClassFixture<ThreePairingAttemptsFixture>
{
    private readonly PortierServer _server = fixture.Server;

    [Fact]
    public async Task Pair_GuessingBeyondTheLimit_Answers429()
    {
        var (deviceId, _) = await _server.CreateDeviceAsync();
        for (var i = 0; i < 3; i++)
            await (await _server.PairAsync(deviceId, $"GUES-S00{i}")).ExpectProblemAsync(HttpStatusCode.BadRequest, "pairing_code_invalid");

        var code = await _server.IssuePairingCodeAsync(deviceId);
        await (await _server.PairAsync(deviceId, code)).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
    }

    [Fact]
    public async Task ListDevices_FiltersByStateAndRejectsUnknownStates()
    {
        var admin = _server.Admin();
        var (deviceId, _) = await _server.CreateDeviceAsync();

        var unpaired = await admin.GetJsonAsync("/api/v1/devices?state=unpaired&pageSize=200");
        Assert.Contains(unpaired.GetProperty("items").EnumerateArray(), d => d.Id() == deviceId);
        var paired = await admin.GetJsonAsync("/api/v1/devices?state=paired&pageSize=200");
        Assert.DoesNotContain(paired.GetProperty("items").EnumerateArray(), d => d.Id() == deviceId);
        await (await admin.GetAsync("/api/v1/devices?state=Unpaired", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_filter");
        await (await admin.GetAsync($"/api/v1/devices/{deviceId}/commands?status=timed_out", TestContext.Current.CancellationToken))
            .ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DevicesApi_WithoutDevicesPermission_IsForbidden()
    {
        var token = await _server.Admin().CreateTokenAsync(["sites:read"]);
        await (await _server.WithToken(token).GetAsync("/api/v1/devices", TestContext.Current.CancellationToken))
            .ExpectAsync(HttpStatusCode.Forbidden);
    }
}
