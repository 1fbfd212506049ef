using Portier.Core.Decisions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Core.Devices;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.AccessLog;

/// <summary>The group-commit writer: events with their companion rows, one commit for all, and a bad event failing alone.</summary>
public abstract class AccessEventWriterTests(PortierServer server)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private AccessEventWriter Writer => server.Services.GetRequiredService<AccessEventWriter>();

    private AccessEvent NewEvent(Guid siteId, Guid doorId) => new()
    {
        SiteId = siteId, DoorId = doorId, Method = AccessMethod.Scan, At = Instant.FromDateTimeOffset(server.Clock.GetUtcNow()),
        Allowed = true, Reason = EventReason.Of(ReasonCode.Granted), Path = DecisionPath.Rule, Outcome = ActuationOutcome.Pending,
    };

    private DeviceCommand NewCommand(Guid deviceId) =>
        server.Services.GetRequiredService<DeviceCommands>().Prepare(deviceId, CommandRequest.Unlock(5));

    [Fact]
    public async Task Append_BatchWithOneFailingCompanion_OthersCommitWithTheirRows_OnlyThatCallerFails()
    {
        var (deviceId, doorId) = await server.CreateDeviceAsync();
        var siteId = await SiteOfAsync(doorId);
        var good = Enumerable.Range(0, 20).Select(_ => (Event: NewEvent(siteId, doorId), Command: NewCommand(deviceId))).ToList();
        // A command for a device that does not exist breaks its transaction (foreign key).
        var bad = (Event: NewEvent(siteId, doorId), Command: NewCommand(Guid.NewGuid()));

        // Appended together, so they share batches; the bad one sits in the middle of them.
        var appends = good.Take(10).Append(bad).Concat(good.Skip(10))
            .Select(p => Writer.AppendAsync(p.Event, [new StoreCommand(p.Command)], Token)).ToList();
        var badAppend = appends[10];

        await Assert.ThrowsAnyAsync<Exception>(() => badAppend);
        await Task.WhenAll(appends.Where(a => a != badAppend));
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var goodIds = good.Select(g => g.Event.Id).ToList();
        Assert.Equal(20, await db.Set<AccessEvent>().CountAsync(e => goodIds.Contains(e.Id), Token));
        Assert.False(await db.Set<AccessEvent>().AnyAsync(e => e.Id == bad.Event.Id, Token));
        var commandIds = good.Select(g => g.Command.Id).ToList();
        Assert.Equal(20, await db.Set<DeviceCommand>().CountAsync(c => commandIds.Contains(c.Id), Token));
        // The chain stays whole: the failed event took no sequence number.
        var sequences = await db.Set<AccessEvent>().Where(e => e.SiteId == siteId).OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync(Token);
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task Append_SettleCommand_ChangesOnlyPendingCommands_EachWithItsOwnAckTime()
    {
        var (deviceId, doorId) = await server.CreateDeviceAsync();
        var siteId = await SiteOfAsync(doorId);
        var confirmed = NewCommand(deviceId);
        var timedOut = NewCommand(deviceId);
        var late = NewCommand(deviceId);
        await Writer.AppendAsync(NewEvent(siteId, doorId), [new StoreCommand(confirmed), new StoreCommand(timedOut), new StoreCommand(late)], Token);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DeviceCommand>().Where(c => c.Id == late.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CommandStatus.LateAck), Token);
        }
        var ackAt = Instant.FromUnixTimeMilliseconds(1_800_000_000_123);

        await Writer.AppendAsync(NewEvent(siteId, doorId),
            [new SettleCommand(confirmed.Id, CommandStatus.Confirmed, ackAt), new SettleCommand(timedOut.Id, CommandStatus.TimedOut, null),
             new SettleCommand(late.Id, CommandStatus.TimedOut, null)], Token);

        await using var check = server.Services.CreateAsyncScope();
        var commands = await check.ServiceProvider.GetRequiredService<PortierDbContext>().Set<DeviceCommand>().AsNoTracking()
            .Where(c => c.DeviceId == deviceId).ToDictionaryAsync(c => c.Id, Token);
        Assert.Equal((CommandStatus.Confirmed, ackAt), (commands[confirmed.Id].Status, commands[confirmed.Id].AckAt));
        Assert.Equal((CommandStatus.TimedOut, (Instant?)null), (commands[timedOut.Id].Status, commands[timedOut.Id].AckAt));
        Assert.Equal(CommandStatus.LateAck, commands[late.Id].Status);
    }

    private async Task<Guid> SiteOfAsync(Guid doorId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Features.Doors.Door>()
            .Where(d => d.Id == doorId).Select(d => d.SiteId).SingleAsync(Token);
    }
}

public sealed class AccessEventWriterSqliteTests(SqliteDevicesFixture fixture) : AccessEventWriterTests(fixture.Server), IClassFixture<SqliteDevicesFixture>;

public sealed class AccessEventWriterPostgresTests(PostgresDevicesFixture fixture) : AccessEventWriterTests(fixture.Server), IClassFixture<PostgresDevicesFixture>;
