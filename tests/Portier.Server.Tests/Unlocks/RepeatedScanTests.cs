using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Unlocks;

/// <summary>
/// A scan sent again with the same scanId (an MQTT QoS-1 redelivery, a controller retrying) is
/// answered with the first one's command and never decided, counted or actuated again; a repeated
/// ack changes nothing.
/// </summary>
public abstract class RepeatedScanTests(PortierServer server)
{
    private static ScanMessage NewScan() =>
        new(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, AccessScenario.Card), DateTimeOffset.UnixEpoch);

    private async Task<AccessScenario> OpenHoursScenarioAsync()
    {
        var scenario = await AccessScenario.CreateAsync(server, cardMaxUses: 5);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        return scenario;
    }

    [Fact]
    public async Task Scan_SentAgainAfterItWasAnswered_GetsTheSameCommand_AndIsDecidedOnce()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        var scan = NewScan();
        var acked = scenario.AckNextCommandAsync();
        await scenario.Device.PublishAsync(DeviceTopic.Scan, scan);
        var command = await acked;
        Assert.Equal(CommandType.Unlock, command.Type);
        await scenario.SettledEventAsync();

        await scenario.Device.PublishAsync(DeviceTopic.Scan, scan);
        var again = await scenario.Device.NextCommandAsync();

        Assert.Equal(command, again);
        // The controller acts on a command id once; if it acks the resent command, nothing changes.
        Assert.Equal(MqttClientPublishReasonCode.ImplementationSpecificError, (await scenario.Device.AckAsync(again.CommandId)).ReasonCode);
        await RecordedOnceAsync(server, scenario, scan.ScanId);
    }

    [Fact]
    public async Task Scan_SentTwiceAtOnce_IsDecidedOnce_BothGetTheSameCommand_AndTheRepeatedAckChangesNothing()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        var scan = NewScan();

        await Task.WhenAll(scenario.Device.PublishAsync(DeviceTopic.Scan, scan), scenario.Device.PublishAsync(DeviceTopic.Scan, scan));
        var first = await scenario.Device.NextCommandAsync();
        var second = await scenario.Device.NextCommandAsync();
        Assert.Equal(first, second);
        // Both answers acked, back to back: the second arrives while the first ack's outcome is being written.
        Assert.Equal(MqttClientPublishReasonCode.Success, (await scenario.Device.AckAsync(first.CommandId)).ReasonCode);
        await scenario.Device.AckAsync(second.CommandId);

        Assert.Equal("confirmed_unlocked", (await scenario.SettledEventAsync()).GetProperty("outcome").GetString());
        await RecordedOnceAsync(server, scenario, scan.ScanId);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(scenario.Device.HasPendingCommand);
    }

    [Fact]
    public async Task Scan_SentAgainAfterTheWindow_IsANewScan()
    {
        await using var scenario = await OpenHoursScenarioAsync();
        var scan = NewScan();
        var acked = scenario.AckNextCommandAsync();
        await scenario.Device.PublishAsync(DeviceTopic.Scan, scan);
        var command = await acked;
        await scenario.SettledEventAsync();

        server.Clock.Advance(ScanRepeats.Window.ToTimeSpan() + TimeSpan.FromSeconds(1));
        await scenario.HeartbeatAsync();
        var again = scenario.AckNextCommandAsync();
        await scenario.Device.PublishAsync(DeviceTopic.Scan, scan);

        Assert.NotEqual(command.CommandId, (await again).CommandId);
        await DeviceKit.EventuallyAsync(async () => (await CountsAsync(server, scenario, scan.ScanId)).Attempts == 2, "the scan is decided anew");
        Assert.Equal(2, (await scenario.Admin.GetJsonAsync($"/api/v1/credentials/{scenario.CardId}")).GetProperty("useCount").GetInt32());
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Scan_SentAgainAfterARestart_GetsTheSameCommand_AndIsDecidedOnce(DatabaseKind kind)
    {
        var settings = PortierServer.WithSettings(new Dictionary<string, string?> { ["Devices:PairingAttemptsPerMinute"] = "100000" });
        var database = await TestDatabase.CreateAsync(kind);
        var scan = NewScan();
        CommandMessage command;
        PairedDevice paired;
        Guid card;
        DateTimeOffset stoppedAt;
        await using (var first = new PortierServer(database, settings, ownsDatabase: false))
        {
            await using var scenario = await AccessScenario.CreateAsync(first, cardMaxUses: 5);
            scenario.SetLocalTime(12);
            await scenario.HeartbeatAsync();
            var acked = scenario.AckNextCommandAsync();
            await scenario.Device.PublishAsync(DeviceTopic.Scan, scan);
            command = await acked;
            await scenario.SettledEventAsync();
            paired = scenario.Paired;
            card = scenario.CardId;
            stoppedAt = first.Clock.GetUtcNow();
        }

        await using var second = new PortierServer(database, settings, stoppedAt.AddMinutes(1));
        _ = second.Server;
        await using var device = await second.ConnectAsync(paired);
        await device.PublishAsync(DeviceTopic.Scan, scan);

        Assert.Equal(command, await device.NextCommandAsync());
        var counts = await CountsAsync(second, paired.DoorId, scan.ScanId);
        Assert.Equal((1, 1, 1), (counts.Attempts, counts.Outcomes, counts.Commands));
        Assert.Equal(1, (await second.Admin().GetJsonAsync($"/api/v1/credentials/{card}")).GetProperty("useCount").GetInt32());
    }

    private static async Task RecordedOnceAsync(PortierServer server, AccessScenario scenario, Guid scanId)
    {
        var counts = await CountsAsync(server, scenario, scanId);
        Assert.Equal((1, 1, 1), (counts.Attempts, counts.Outcomes, counts.Commands));
        Assert.Equal(CommandStatus.Confirmed, counts.Status);
        Assert.Equal(1, (await scenario.Admin.GetJsonAsync($"/api/v1/credentials/{scenario.CardId}")).GetProperty("useCount").GetInt32());
    }

    private static Task<(int Attempts, int Outcomes, int Commands, CommandStatus? Status)> CountsAsync(PortierServer server, AccessScenario scenario, Guid scanId) =>
        CountsAsync(server, scenario.DoorId, scanId);

    /// <summary>Attempts and outcome rows at the door, and the commands answering the scan (with the first one's status).</summary>
    private static async Task<(int Attempts, int Outcomes, int Commands, CommandStatus? Status)> CountsAsync(PortierServer server, Guid doorId, Guid scanId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var ct = TestContext.Current.CancellationToken;
        var events = db.Set<AccessEvent>().Where(e => e.DoorId == doorId);
        var commands = await db.Set<DeviceCommand>().AsNoTracking().Where(c => c.ScanId == scanId).ToListAsync(ct);
        return (await events.CountAsync(e => e.OutcomeOf == null, ct), await events.CountAsync(e => e.OutcomeOf != null, ct),
            commands.Count, commands.FirstOrDefault()?.Status);
    }
}

public sealed class RepeatedScanSqliteTests(SqliteUnlocksFixture fixture) : RepeatedScanTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class RepeatedScanPostgresTests(PostgresUnlocksFixture fixture) : RepeatedScanTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
