using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Devices;

/// <summary>A device created for a door, and the credentials its pairing returned.</summary>
public sealed record PairedDevice(Guid Id, Guid DoorId, string Password);

public static class DeviceKit
{
    /// <summary>Doors have no API on this side yet: the door is written straight to the database.</summary>
    public static async Task<Guid> CreateDoorAsync(this PortierServer server, Guid siteId, string name = "Front door")
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var door = new Door { SiteId = siteId, Name = name };
        db.Add(door);
        await db.SaveChangesAsync();
        return door.Id;
    }

    /// <summary>A site, a door, and an unpaired device for it; returns the device id and door id.</summary>
    public static async Task<(Guid DeviceId, Guid DoorId)> CreateDeviceAsync(this PortierServer server)
    {
        var door = await server.CreateDoorAsync(await server.Admin().CreateSiteAsync());
        return (await server.CreateDeviceForDoorAsync(door), door);
    }

    /// <summary>An unpaired device for an existing door.</summary>
    public static async Task<Guid> CreateDeviceForDoorAsync(this PortierServer server, Guid doorId) =>
        (await (await server.Admin().PostJsonAsync("/api/v1/devices", new { doorId, name = "Controller" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();

    public static async Task<string> IssuePairingCodeAsync(this PortierServer server, Guid deviceId)
    {
        var body = await (await server.Admin().PostJsonAsync($"/api/v1/devices/{deviceId}/pairing-code", new { }))
            .ExpectAsync(HttpStatusCode.OK);
        return body.GetProperty("code").GetString()!;
    }

    public static Task<HttpResponseMessage> PairAsync(this PortierServer server, Guid deviceId, string code) =>
        server.Anonymous().PostJsonAsync("/api/v1/devices/pair", new { pairingCode = code, deviceId, hardwareId = "hw-" + deviceId.ToString("N")[..8] });

    /// <summary>A paired device for a new door of a new site, or for <paramref name="doorId"/> when given.</summary>
    public static async Task<PairedDevice> CreatePairedDeviceAsync(this PortierServer server, Guid? doorId = null)
    {
        var (deviceId, door) = doorId is { } existing ? (await server.CreateDeviceForDoorAsync(existing), existing) : await server.CreateDeviceAsync();
        var body = await (await server.PairAsync(deviceId, await server.IssuePairingCodeAsync(deviceId))).ExpectAsync(HttpStatusCode.OK);
        return new PairedDevice(deviceId, door, body.GetProperty("password").GetString()!);
    }

    /// <summary>Connects the device to the broker the server uses: its own, or the external one it is a client of.</summary>
    public static Task<TestDevice> ConnectAsync(this PortierServer server, PairedDevice device, bool subscribe = true) =>
        TestDevice.ConnectAsync(server.Services.GetRequiredService<IOptions<MqttOptions>>().Value.Port, device.Id, device.Password, subscribe);

    public static DeviceCommands Commands(this PortierServer server) => server.Services.GetRequiredService<DeviceCommands>();

    public static Task<System.Text.Json.JsonElement> GetDeviceAsync(this PortierServer server, Guid id) =>
        server.Admin().GetJsonAsync($"/api/v1/devices/{id}");

    /// <summary>Polls until the condition holds, for at most five seconds.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string because)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Timed out waiting: {because}");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
