using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Unlocks;

/// <summary>
/// The scan queue with one consumer answering one scan at a time, so scans wait in the queue while
/// the controller holds back its ack: what happens to them at shutdown, and when the queue is full.
/// </summary>
public abstract class ScanQueueTests(DatabaseKind kind) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _database = await TestDatabase.CreateAsync(kind);

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    private PortierServer Start(int capacity)
    {
        var server = new PortierServer(_database, PortierServer.WithSettings(new Dictionary<string, string?>
        {
            ["Devices:PairingAttemptsPerMinute"] = "100000",
            ["Devices:ScanQueue:Capacity"] = capacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Devices:ScanQueue:Consumers"] = "1",
            ["Devices:ScanQueue:InFlightPerConsumer"] = "1",
        }), ownsDatabase: false);
        _ = server.Server;
        return server;
    }

    private static async Task<Guid> ScanAsync(AccessScenario scenario, Func<MqttClientPublishResult, bool>? expect = null)
    {
        var scanId = Guid.NewGuid();
        var result = await scenario.Device.PublishAsync(DeviceTopic.Scan,
            new ScanMessage(scanId, new PresentedCredential(CredentialKind.Card, AccessScenario.Card), DateTimeOffset.UnixEpoch));
        Assert.True((expect ?? (r => r.IsSuccess))(result), $"publish answered {result.ReasonCode}");
        return scanId;
    }

    private static async Task<AccessScenario> ScenarioAsync(PortierServer server)
    {
        var scenario = await AccessScenario.CreateAsync(server);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        return scenario;
    }

    [Fact]
    public async Task Shutdown_WithScansQueued_AnswersAndRecordsEveryOne()
    {
        var server = Start(capacity: 100);
        var scenario = await ScenarioAsync(server);
        var scans = new List<Guid> { await ScanAsync(scenario) };
        var first = await scenario.Device.NextCommandAsync();
        for (var i = 0; i < 9; i++) scans.Add(await ScanAsync(scenario));
        Assert.Equal(9, server.Services.GetRequiredService<ScanWorkers>().Queued);

        // The host starts stopping while nine scans wait and the first waits for its ack.
        var stopping = server.DisposeAsync().AsTask();
        var answered = new List<CommandMessage> { first };
        await scenario.Device.AckAsync(first.CommandId);
        while (answered.Count < scans.Count)
        {
            var command = await scenario.Device.NextCommandAsync();
            answered.Add(command);
            await scenario.Device.AckAsync(command.CommandId);
        }
        await stopping.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await scenario.DisposeAsync();

        Assert.Equal(scans, answered.Select(c => c.ScanId!.Value));
        Assert.All(answered, c => Assert.Equal(CommandType.Unlock, c.Type));
        await using var restarted = new PortierServer(_database, ownsDatabase: false);
        var events = (await restarted.Admin().GetJsonAsync($"/api/v1/access-events?doorId={scenario.DoorId}&pageSize=50"))
            .GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(scans.Count, events.Count);
        Assert.All(events, e =>
        {
            Assert.True(e.GetProperty("allowed").GetBoolean());
            Assert.Equal("confirmed_unlocked", e.GetProperty("outcome").GetString());
        });
    }

    [Fact]
    public async Task QueueFull_ScanIsDeniedAsServerBusy_AndQueuedScansAreStillAnswered()
    {
        await using var server = Start(capacity: 1);
        await using var scenario = await ScenarioAsync(server);
        var inFlight = await ScanAsync(scenario);
        var first = await scenario.Device.NextCommandAsync();
        var queued = await ScanAsync(scenario);

        var refused = await ScanAsync(scenario, r => r.ReasonCode == MqttClientPublishReasonCode.QuotaExceeded);

        var deny = await scenario.Device.NextCommandAsync();
        Assert.Equal(CommandType.Deny, deny.Type);
        Assert.Equal("server_busy", deny.Reason);
        Assert.Equal(refused, deny.ScanId);
        // A refusal costs no write: the deny is matched to its ack in memory and never stored.
        var commands = server.Commands();
        Assert.True(commands.IsAwaitedFrom(scenario.Paired.Id, deny.CommandId));
        await scenario.Device.AckAsync(deny.CommandId);
        await DeviceKit.EventuallyAsync(() => Task.FromResult(!commands.IsAwaitedFrom(scenario.Paired.Id, deny.CommandId)), "the refusal's ack matched");
        await using (var scope = server.Services.CreateAsyncScope())
            Assert.False(await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DeviceCommand>()
                .AnyAsync(c => c.ScanId == refused, Ct));
        Assert.Equal(inFlight, first.ScanId);
        await scenario.Device.AckAsync(first.CommandId);
        var second = await scenario.Device.NextCommandAsync();
        Assert.Equal(queued, second.ScanId);
        Assert.Equal(CommandType.Unlock, second.Type);
    }
}

public sealed class ScanQueueSqliteTests() : ScanQueueTests(DatabaseKind.Sqlite);

public sealed class ScanQueuePostgresTests() : ScanQueueTests(DatabaseKind.Postgres);
