using System.Text.Json;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.DoorOps;

/// <summary>Door supervision fed by real unlocks: a card granted at the reader makes the door's opening expected.</summary>
public abstract class UnlockSupervisionTests(PortierServer server)
{
    private static async Task<JsonElement[]> AlarmsAsync(AccessScenario scenario) =>
        [.. (await scenario.Admin.GetJsonAsync($"/api/v1/alarms?doorId={scenario.DoorId}")).GetProperty("items").EnumerateArray()];

    [Fact]
    public async Task GrantedScan_DoorOpensWithinHoldTime_RaisesNothing_OpeningWithoutAGrantIsForced()
    {
        await using var scenario = await AccessScenario.CreateAsync(server);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();

        var acked = scenario.AckNextCommandAsync();
        await scenario.Device.PublishAsync(DeviceTopic.Scan,
            new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, AccessScenario.Card), DateTimeOffset.UnixEpoch));
        Assert.Equal(CommandType.Unlock, (await acked).Type);
        server.Clock.Advance(TimeSpan.FromSeconds(9));
        await scenario.Device.ReportDoorAsync(DoorPosition.Open);
        await scenario.Device.ReportDoorAsync(DoorPosition.Closed);
        Assert.Empty(await AlarmsAsync(scenario));

        // The hold time (10 s) of that grant has passed: the next opening has no unlock behind it.
        server.Clock.Advance(TimeSpan.FromSeconds(2));
        await scenario.Device.ReportDoorAsync(DoorPosition.Open);
        Assert.Equal("door_forced_open", Assert.Single(await AlarmsAsync(scenario)).GetProperty("kind").GetString());
        await scenario.Device.ReportDoorAsync(DoorPosition.Closed);
    }
}

public sealed class UnlockSupervisionSqliteTests(SqliteUnlocksFixture fixture) : UnlockSupervisionTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class UnlockSupervisionPostgresTests(PostgresUnlocksFixture fixture) : UnlockSupervisionTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
