using Portier.Core.Devices;
using Portier.Server.Features.Alarms;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.DoorOps;

public sealed class DoorSupervisionRestartTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = PortierServer.DefaultStart;

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Restart_DoorLeftOpen_KeepsItsAlarm_CountsItsOpenTime_AndClearsOnceOnClose(DatabaseKind kind)
    {
        var database = await TestDatabase.CreateAsync(kind);
        PairedDevice paired;
        await using (var first = await DoorOpsKit.StartServerAsync(Start, database, ownsDatabase: false))
        {
            TestDevice device;
            (paired, device) = await first.DoorWithControllerAsync(openTimeSeconds: 60);
            await using var _ = device;
            await device.ReportDoorAsync(DoorPosition.Open);
        }

        await using var second = await DoorOpsKit.StartServerAsync(Start.AddSeconds(30), database);
        await using var reconnected = await second.ConnectAsync(paired);
        var supervision = second.Supervision();
        await supervision.LoadOpenDoorsAsync(Token);
        // Reported open again after the restart: the same opening, not a second forced open.
        await reconnected.ReportDoorAsync(DoorPosition.Open);
        second.Clock.Advance(TimeSpan.FromSeconds(15));
        await supervision.TickAsync(Token);
        second.Clock.Advance(TimeSpan.FromSeconds(15));
        await supervision.TickAsync(Token);
        await reconnected.ReportDoorAsync(DoorPosition.Closed);

        var alarms = (await second.Admin().GetJsonAsync($"/api/v1/alarms?doorId={paired.DoorId}")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["door_forced_open", "door_held_open", "door_held_open_warning"],
            alarms.Select(a => a.GetProperty("kind").GetString()).Order());
        Assert.All(alarms, a => Assert.False(a.GetProperty("standing").GetBoolean()));
        var events = second.Events();
        Assert.Equal(0, events.Count("raised", paired.DoorId, AlarmKind.DoorForcedOpen));
        foreach (var alarm in new[] { AlarmKind.DoorForcedOpen, AlarmKind.DoorHeldOpenWarning, AlarmKind.DoorHeldOpen })
            Assert.Equal(1, events.Count("cleared", paired.DoorId, alarm));
        Assert.Equal(1, events.Count("raised", paired.DoorId, AlarmKind.DoorHeldOpenWarning));
        Assert.Equal(1, events.Count("raised", paired.DoorId, AlarmKind.DoorHeldOpen));
    }
}
