using Portier.Core.Devices;
using Portier.Server.Features.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Devices;

/// <summary>The server as a client of a real Mosquitto broker (External mode).</summary>
public sealed class ExternalBrokerTests(MosquittoDevicesFixture fixture) : IClassFixture<MosquittoDevicesFixture>
{
    private readonly PortierServer _server = fixture.Server;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HeartbeatAndCommandRoundTrip_ThroughMosquitto()
    {
        var paired = await _server.CreatePairedDeviceAsync();
        await using var device = await TestDevice.ConnectAsync(MosquittoDevicesFixture.Broker.Port, paired.Id, paired.Password);

        await device.HeartbeatAsync("1.0.0");
        await DeviceKit.EventuallyAsync(async () => (await _server.GetDeviceAsync(paired.Id)).GetProperty("online").GetBoolean(),
            "the heartbeat arrives through the broker");

        var outcome = _server.Commands().SendAndWaitAsync(paired.Id, CommandRequest.Unlock(4), Token);
        var command = await device.NextCommandAsync();
        Assert.Equal(CommandType.Unlock, command.Type);
        await device.AckAsync(command.CommandId);

        Assert.Equal(CommandStatus.Confirmed, (await outcome.WaitAsync(TimeSpan.FromSeconds(5), Token)).Status);
    }

    [Fact]
    public async Task UnknownDeviceMessages_AreIgnored_ThroughMosquitto()
    {
        await using var stranger = await TestDevice.ConnectAsync(MosquittoDevicesFixture.Broker.Port, Guid.NewGuid(), null, subscribe: false);
        var paired = await _server.CreatePairedDeviceAsync();
        await using var device = await TestDevice.ConnectAsync(MosquittoDevicesFixture.Broker.Port, paired.Id, paired.Password);

        await stranger.HeartbeatAsync();
        await stranger.PublishRawAsync(DeviceProtocol.Topic(paired.Id, DeviceTopic.Heartbeat), "garbage"u8.ToArray());
        await device.HeartbeatAsync();

        await DeviceKit.EventuallyAsync(async () => (await _server.GetDeviceAsync(paired.Id)).GetProperty("online").GetBoolean(),
            "the paired device still comes online");
    }
}
