using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Devices;

/// <summary>Counts the access events one node commits, to show which node decided what.</summary>
public sealed class CommittedHere : IAccessEventSink
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ValueTask BeforeCommitAsync(PortierDbContext db, IReadOnlyList<AccessEvent> events, CancellationToken ct) => ValueTask.CompletedTask;

    public void AfterCommit(IReadOnlyList<AccessEvent> events) => Interlocked.Add(ref _count, events.Count);
}

/// <summary>
/// Two server nodes of one installation: one PostgreSQL database, one Mosquitto broker, one shared-subscription
/// group, each counting the access events it commits.
/// </summary>
public sealed class TwoNodesFixture : ServerNodesFixture
{
    protected override NodeSetup Setup => new()
    {
        ExternalBroker = true,
        Services = services =>
        {
            services.AddSingleton<CommittedHere>();
            services.AddSingleton<IAccessEventSink>(sp => sp.GetRequiredService<CommittedHere>());
        },
    };
}

/// <summary>
/// Devices across nodes: each scan reaches one node through the broker's shared subscription, each ack
/// settles its command wherever it lands, and both nodes append to one access log chain per site.
/// </summary>
public sealed class TwoNodesTests(TwoNodesFixture nodes) : IClassFixture<TwoNodesFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private PortierServer A => nodes.A;
    private PortierServer B => nodes.B;

    /// <summary>The scenario on node A at noon in New York on both nodes' clocks, its controller heard by both.</summary>
    private async Task<AccessScenario> ScenarioAsync()
    {
        var s = await AccessScenario.CreateAsync(A);
        ConfigurationReachesB();
        s.SetLocalTime(12);
        B.Clock.SetUtcNow(A.Clock.GetUtcNow());
        await s.HeartbeatAsync();
        return s;
    }

    /// <summary>
    /// Node B reads again what was configured through node A. Carrying such changes between nodes is
    /// not what these tests are about; they only need B to know the doors, controllers and rules.
    /// </summary>
    private void ConfigurationReachesB()
    {
        foreach (var cache in B.Services.GetServices<IDefinitionCache>()) cache.MarkChanged();
    }

    /// <summary>Plays the controller: acknowledges every command it receives, and keeps them.</summary>
    private static (ConcurrentQueue<CommandMessage> Received, CancellationTokenSource Stop, Task Running) Acknowledging(TestDevice device)
    {
        var received = new ConcurrentQueue<CommandMessage>();
        var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var running = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                CommandMessage command;
                try
                {
                    command = await device.NextCommandAsync();
                }
                catch (OperationCanceledException)
                {
                    continue;
                }
                received.Enqueue(command);
                await device.AckAsync(command.CommandId);
            }
        });
        return (received, stop, running);
    }

    private static Task<MQTTnet.MqttClientPublishResult> ScanAsync(TestDevice device, Guid scanId, string card = AccessScenario.Card) =>
        device.PublishAsync(DeviceTopic.Scan, new ScanMessage(scanId, new PresentedCredential(CredentialKind.Card, card), DateTimeOffset.UnixEpoch));

    private static async Task UntilAsync(Func<Task<bool>> condition, string because)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < Patience, $"Timed out waiting: {because}");
            await Task.Delay(50, Token);
        }
    }

    private static async Task<T> QueryAsync<T>(PortierServer server, Func<PortierDbContext, Task<T>> query)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PortierDbContext>());
    }

    [Fact]
    public async Task ManyScans_TwoNodesUp_EachDecidedRecordedAndAnsweredOnce_NoLateAck()
    {
        await using var s = await ScenarioAsync();
        var (before, beforeB) = (A.Services.GetRequiredService<CommittedHere>().Count, B.Services.GetRequiredService<CommittedHere>().Count);
        var (received, stop, acking) = Acknowledging(s.Device);
        var scans = Enumerable.Range(0, 40).Select(_ => Guid.NewGuid()).ToList();

        await Task.WhenAll(scans.Select(scan => ScanAsync(s.Device, scan)));

        await UntilAsync(async () => await QueryAsync(A, db => db.Set<AccessEvent>()
            .CountAsync(e => e.DoorId == s.DoorId && e.OutcomeOf != null, Token)) >= scans.Count, "every grant has its outcome row");
        var attempts = await QueryAsync(A, db => db.Set<AccessEvent>().AsNoTracking().Where(e => e.DoorId == s.DoorId).ToListAsync(Token));
        var commands = await QueryAsync(A, db => db.Set<DeviceCommand>().AsNoTracking().Where(c => c.DeviceId == s.Device.Id).ToListAsync(Token));
        await stop.CancelAsync();
        await acking;

        // One granted attempt per scan, one confirmed outcome per attempt, and nothing else.
        var decided = attempts.Where(e => e.OutcomeOf is null).ToList();
        Assert.Equal(scans.Count, decided.Count);
        Assert.All(decided, e => Assert.Equal("granted", e.Reason.ToCode()));
        var outcomes = attempts.Where(e => e.OutcomeOf is not null).ToList();
        Assert.Equal(decided.Select(e => e.Id).Order(), outcomes.Select(e => e.OutcomeOf!.Value).Order());
        Assert.All(outcomes, e => Assert.Equal(ActuationOutcome.ConfirmedUnlocked, e.Outcome));
        // One unlock per scan, each confirmed in time wherever its ack landed.
        Assert.Equal(scans.Order(), commands.Select(c => c.ScanId!.Value).Order());
        Assert.All(commands, c => Assert.Equal((CommandType.Unlock, CommandStatus.Confirmed), (c.Type, c.Status)));
        Assert.Equal(scans.Order(), received.Select(c => c.ScanId!.Value).Order());
        // Both nodes took their share of the scans.
        Assert.True(A.Services.GetRequiredService<CommittedHere>().Count > before, "node A decided some scans");
        Assert.True(B.Services.GetRequiredService<CommittedHere>().Count > beforeB, "node B decided some scans");
        var verified = await A.Admin().GetJsonAsync($"/api/v1/access-events/verify?siteId={s.SiteId}");
        Assert.True(verified.GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task ConcurrentAppends_FromBothNodesToOneSite_KeepOneLinearChain()
    {
        var site = await A.Admin().CreateSiteAsync();
        var door = await A.CreateDoorAsync(site);

        await Task.WhenAll(Enumerable.Range(0, 120).Select(i => Task.Run(() => (i % 2 == 0 ? A : B).AppendAsync(site, door), Token)));

        var sequences = await QueryAsync(A, db => db.Set<AccessEvent>().Where(e => e.SiteId == site).Select(e => e.Sequence).ToListAsync(Token));
        Assert.Equal(Enumerable.Range(1, 120).Select(i => (long)i), sequences.Order());
        var verified = await B.Admin().GetJsonAsync($"/api/v1/access-events/verify?siteId={site}");
        Assert.True(verified.GetProperty("intact").GetBoolean());
        Assert.Equal(120, verified.GetProperty("head").GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task AdminOpen_ThroughNodeB_WhileScansFlow_IsAnsweredAndConfirmed()
    {
        await using var s = await ScenarioAsync();
        var (_, stop, acking) = Acknowledging(s.Device);
        var scanning = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++) await ScanAsync(s.Device, Guid.NewGuid());
        }, Token);

        var opens = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => B.Admin().PostJsonAsync($"/api/v1/doors/{s.DoorId}/open", new { })));
        await scanning;

        foreach (var open in opens)
        {
            var answer = await open.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(("granted", "confirmed_unlocked"), (answer.GetProperty("reason").GetString(), answer.GetProperty("outcome").GetString()));
        }
        await UntilAsync(async () => await QueryAsync(A, db => db.Set<AccessEvent>()
            .CountAsync(e => e.DoorId == s.DoorId && e.OutcomeOf != null, Token)) >= 26, "every scan's grant has its outcome row");
        await stop.CancelAsync();
        await acking;
        var statuses = await QueryAsync(A, db => db.Set<DeviceCommand>().Where(c => c.DeviceId == s.Device.Id).Select(c => c.Status).ToListAsync(Token));
        Assert.Equal(26, statuses.Count);
        Assert.All(statuses, status => Assert.Equal(CommandStatus.Confirmed, status));
        Assert.True((await A.Admin().GetJsonAsync($"/api/v1/access-events/verify?siteId={s.SiteId}")).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task DoorSensor_ReportsSpreadOverBothNodes_RaiseNoForcedOrHeldOpenAlarm()
    {
        await using var s = await ScenarioAsync();
        var (received, stop, acking) = Acknowledging(s.Device);
        for (var i = 1; i <= 6; i++)
        {
            await ScanAsync(s.Device, Guid.NewGuid());
            await UntilAsync(() => Task.FromResult(received.Count >= i), "the scan is answered");
            // The person walks through: whichever node hears the door open, the grant that opened it was recorded.
            await ReportAsync(s, DoorPosition.Open);
            await ReportAsync(s, DoorPosition.Closed);
        }
        await stop.CancelAsync();
        await acking;

        // Long past the door's open time, each node's supervision looks at the door again.
        foreach (var node in new[] { A, B })
        {
            node.Clock.Advance(TimeSpan.FromMinutes(10));
            await node.Services.GetRequiredService<DoorSupervision>().TickAsync(Token);
        }

        var alarms = await QueryAsync(A, db => db.Set<Alarm>().Where(a => a.DoorId == s.DoorId).Select(a => a.Kind).ToListAsync(Token));
        Assert.Empty(alarms);
    }

    /// <summary>The controller reports the door sensor; returns once a node has recorded it.</summary>
    private async Task ReportAsync(AccessScenario s, DoorPosition position)
    {
        await s.Device.PublishAsync(DeviceTopic.State, new StateMessage(position, DateTimeOffset.UnixEpoch));
        var open = position == DoorPosition.Open;
        await UntilAsync(async () => await QueryAsync(A, db => db.Set<DoorWatchState>()
            .AnyAsync(w => w.DoorId == s.DoorId && w.IsOpen == open, Token)), "the door's report is recorded");
    }

    [Fact]
    public async Task ZoneCapacity_ScansSpreadOverBothNodes_AdmitsExactlyTheCapacity()
    {
        await using var s = await ScenarioAsync();
        await (await s.Admin.PutJsonAsync($"/api/v1/zones/{s.ZoneId}", new { siteId = s.SiteId, name = "Main hall", capacity = 3 })).ExpectAsync(HttpStatusCode.OK);
        var cards = Enumerable.Range(0, 8).Select(i => $"CA{i:D4}").ToList();
        foreach (var card in cards)
        {
            var person = await s.CreatePersonAsync("Member", "Current");
            await (await s.Admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = card })).ExpectAsync(HttpStatusCode.Created);
        }
        ConfigurationReachesB();
        var (received, stop, acking) = Acknowledging(s.Device);

        await Task.WhenAll(cards.Select(card => ScanAsync(s.Device, Guid.NewGuid(), card)));

        await UntilAsync(() => Task.FromResult(received.Count >= cards.Count), "every scan is answered");
        await stop.CancelAsync();
        await acking;
        Assert.Equal(3, received.Count(c => c.Type == CommandType.Unlock));
        Assert.Equal(5, received.Count(c => c is { Type: CommandType.Deny, Reason: "capacity_exceeded" }));
    }
}
