using System.Net;
using Portier.Core.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.DoorOps;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.SharedWork;

/// <summary>
/// Two nodes on one PostgreSQL database, both clients of one Mosquitto broker, and a controller that
/// hears whichever node commands it: every latch transition reaches it once.
/// </summary>
public sealed class DoorLatchNodesTests
{
    private static readonly DateTimeOffset Nine = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<(PairedDevice Paired, TestDevice Device)> DoorWithControllerAsync(ServerNodes nodes)
    {
        var admin = nodes.A.Admin();
        var site = await admin.CreateSiteAsync(timeZone: "Europe/Berlin");
        var door = (await (await admin.PostJsonAsync("/api/v1/doors", new { siteId = site, name = "Front door" })).ExpectAsync(HttpStatusCode.Created)).Id();
        var paired = await nodes.A.CreatePairedDeviceAsync(door);
        var device = await TestDevice.ConnectAsync(MosquittoDevicesFixture.Broker.Port, paired.Id, paired.Password);
        await device.HeartbeatAsync();
        // Later than the nodes' start, when one of them took the latch lease.
        nodes.SetClocks(Nine.AddSeconds(1));
        return (paired, device);
    }

    private static async Task StartOverrideAsync(PortierServer node, Guid door, int minutes) =>
        await (await node.Admin().PutJsonAsync($"/api/v1/doors/{door}/override", new { mode = "force_closed", minutes })).ExpectAsync(HttpStatusCode.OK);

    private static async Task PassOnBothAsync(ServerNodes nodes) =>
        await Task.WhenAll(nodes.A.Latches().RunDueAsync(Token), nodes.B.Latches().RunDueAsync(Token));

    [Fact]
    public async Task TimedOverride_TwoNodes_ItsStartAndItsEndEachReachTheControllerOnce()
    {
        await using var nodes = await ServerNodes.StartAsync(new NodeSetup { ExternalBroker = true, Start = Nine });
        var (paired, device) = await DoorWithControllerAsync(nodes);
        await using var _ = device;

        await StartOverrideAsync(nodes.B, paired.DoorId, 30);
        Assert.Equal("timed_override", (await device.ExpectCommandAsync(CommandType.LockDown)).Reason);
        await PassOnBothAsync(nodes);
        await device.ExpectNoCommandAsync();

        // Both clocks reach the end together: both nodes' timers fire and both are asked for a pass as well.
        nodes.SetClocks(Nine.AddMinutes(30).AddSeconds(2));
        await PassOnBothAsync(nodes);
        Assert.Equal("normal", (await device.ExpectCommandAsync(CommandType.Release)).Reason);
        await PassOnBothAsync(nodes);
        await device.ExpectNoCommandAsync();
        Assert.Equal(1, new[] { nodes.A, nodes.B }.Count(n => n.Leases().Holds(DoorLatchScheduler.LeaseName)));
    }

    [Fact]
    public async Task LatchLeaseHolderKilled_TheOtherNodeTakesOverAfterTheLease_AndEndsTheOverride()
    {
        await using var nodes = await ServerNodes.StartAsync(new NodeSetup { ExternalBroker = true, Start = Nine });
        var (paired, device) = await DoorWithControllerAsync(nodes);
        await using var _ = device;
        Assert.Equal(1, new[] { nodes.A, nodes.B }.Count(n => n.Leases().Holds(DoorLatchScheduler.LeaseName)));
        var leader = nodes.A.Leases().Holds(DoorLatchScheduler.LeaseName) ? nodes.A : nodes.B;
        var follower = nodes.Other(leader);
        Assert.False(follower.Leases().Holds(DoorLatchScheduler.LeaseName));

        // A change made through the follower is applied by the follower at once.
        await StartOverrideAsync(follower, paired.DoorId, 1);
        Assert.Equal("timed_override", (await device.ExpectCommandAsync(CommandType.LockDown)).Reason);

        await nodes.KillAsync(leader);
        follower.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(await follower.Leases().HoldAsync(DoorLatchScheduler.LeaseName, Token));
        await device.ExpectNoCommandAsync();

        // Past the override's end and the dead node's lease: the follower takes the lease and runs the passes.
        follower.Clock.SetUtcNow(Nine.AddMinutes(1).AddSeconds(5));
        Assert.Equal("normal", (await device.ExpectCommandAsync(CommandType.Release)).Reason);
        Assert.True(follower.Leases().Holds(DoorLatchScheduler.LeaseName));
        Assert.Equal(follower.Leases().NodeId, (await nodes.LeaseAsync(DoorLatchScheduler.LeaseName))!.Holder);
        await device.ExpectNoCommandAsync();
    }
}
