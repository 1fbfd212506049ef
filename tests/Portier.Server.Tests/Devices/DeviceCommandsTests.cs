using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using NodaTime;
using Portier.Core.Devices;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Devices;

public abstract class DeviceCommandsTests(PortierServer server)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SendAndWait_DeviceAcksInTime_Confirmed()
    {
        var paired = await server.CreatePairedDeviceAsync();
        await using var device = await server.ConnectAsync(paired);

        var outcome = server.Commands().SendAndWaitAsync(paired.Id, CommandRequest.Unlock(10), Token);
        var command = await device.NextCommandAsync();
        Assert.Equal(CommandType.Unlock, command.Type);
        Assert.Equal(10, command.HoldSeconds);
        server.Clock.Advance(TimeSpan.FromSeconds(4));
        await device.AckAsync(command.CommandId);

        var result = await outcome.WaitAsync(TimeSpan.FromSeconds(5), Token);
        Assert.Equal(CommandStatus.Confirmed, result.Status);
        Assert.Equal(command.CommandId, result.CommandId);
        var stored = await StoredAsync(result.CommandId);
        Assert.Equal(CommandStatus.Confirmed, stored.Status);
        Assert.Equal(stored.SentAt + Duration.FromSeconds(4), stored.AckAt);
        Assert.Equal(stored.SentAt + Duration.FromSeconds(5), stored.Deadline);
    }

    [Fact]
    public async Task SendAndWait_DeviceReportsFailure_Failed()
    {
        var paired = await server.CreatePairedDeviceAsync();
        await using var device = await server.ConnectAsync(paired);

        var outcome = server.Commands().SendAndWaitAsync(paired.Id, new CommandRequest(CommandType.LockDown), Token);
        await device.AckAsync((await device.NextCommandAsync()).CommandId, ok: false);

        Assert.Equal(CommandStatus.Failed, (await outcome.WaitAsync(TimeSpan.FromSeconds(5), Token)).Status);
    }

    [Fact]
    public async Task SendAndWait_NoAckByTheDeadline_TimedOut()
    {
        var paired = await server.CreatePairedDeviceAsync();
        await using var device = await server.ConnectAsync(paired);

        var outcome = server.Commands().SendAndWaitAsync(paired.Id, CommandRequest.Unlock(3), Token);
        var command = await device.NextCommandAsync();
        server.Clock.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(outcome.IsCompleted);
        server.Clock.Advance(TimeSpan.FromMilliseconds(1));

        var result = await outcome.WaitAsync(TimeSpan.FromSeconds(5), Token);
        Assert.Equal(CommandStatus.TimedOut, result.Status);
        Assert.Equal(CommandStatus.TimedOut, (await StoredAsync(command.CommandId)).Status);
    }

    [Fact]
    public async Task LateAck_IsRecordedAsLate_AndNothingIsSentAgain()
    {
        var paired = await server.CreatePairedDeviceAsync();
        await using var device = await server.ConnectAsync(paired);
        var outcome = server.Commands().SendAndWaitAsync(paired.Id, CommandRequest.Unlock(3), Token);
        var command = await device.NextCommandAsync();
        server.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(CommandStatus.TimedOut, (await outcome.WaitAsync(TimeSpan.FromSeconds(5), Token)).Status);

        var late = await device.AckAsync(command.CommandId);

        Assert.Equal(MqttClientPublishReasonCode.Success, late.ReasonCode);
        var stored = await StoredAsync(command.CommandId);
        Assert.Equal(CommandStatus.LateAck, stored.Status);
        Assert.Equal(stored.SentAt + Duration.FromSeconds(6), stored.AckAt);
        await Task.Delay(200, Token);
        Assert.Equal(1, device.CommandsReceived);
    }

    [Fact]
    public async Task ReplayedAck_OrAckForAnotherDevicesCommand_IsRefused()
    {
        var a = await server.CreatePairedDeviceAsync();
        var b = await server.CreatePairedDeviceAsync();
        await using var deviceA = await server.ConnectAsync(a);
        await using var deviceB = await server.ConnectAsync(b);
        var outcome = server.Commands().SendAndWaitAsync(b.Id, CommandRequest.Unlock(3), Token);
        var command = await deviceB.NextCommandAsync();

        var foreign = await deviceA.AckAsync(command.CommandId);
        Assert.Equal(MqttClientPublishReasonCode.ImplementationSpecificError, foreign.ReasonCode);
        Assert.False(outcome.IsCompleted);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await deviceB.AckAsync(command.CommandId)).ReasonCode);
        Assert.Equal(CommandStatus.Confirmed, (await outcome.WaitAsync(TimeSpan.FromSeconds(5), Token)).Status);

        Assert.Equal(MqttClientPublishReasonCode.ImplementationSpecificError, (await deviceB.AckAsync(command.CommandId)).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.ImplementationSpecificError, (await deviceA.AckAsync(command.CommandId)).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.ImplementationSpecificError, (await deviceB.AckAsync(Guid.NewGuid())).ReasonCode);
        var stored = await StoredAsync(command.CommandId);
        Assert.Equal(CommandStatus.Confirmed, stored.Status);
        Assert.True(deviceB.Client.IsConnected && deviceA.Client.IsConnected);
    }

    [Fact]
    public async Task SendAndWait_UnpairedDevice_IsNotSent()
    {
        var (deviceId, _) = await server.CreateDeviceAsync();

        var outcome = await server.Commands().SendAndWaitAsync(deviceId, CommandRequest.Unlock(3), Token);

        Assert.Equal(CommandStatus.NotSent, outcome.Status);
        Assert.Equal(CommandStatus.NotSent, (await StoredAsync(outcome.CommandId)).Status);
    }

    [Fact]
    public async Task Restart_PendingCommandsPastTheirDeadline_TimeOutWithoutBeingSent()
    {
        var paired = await server.CreatePairedDeviceAsync();
        await using var device = await server.ConnectAsync(paired);
        var now = Instant.FromDateTimeOffset(server.Clock.GetUtcNow());
        var expired = new DeviceCommand { DeviceId = paired.Id, Type = CommandType.Unlock, SentAt = now - Duration.FromSeconds(10), Deadline = now - Duration.FromSeconds(5) };
        var open = new DeviceCommand { DeviceId = paired.Id, Type = CommandType.Unlock, SentAt = now - Duration.FromSeconds(1), Deadline = now + Duration.FromSeconds(4) };
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            db.AddRange(expired, open);
            await db.SaveChangesAsync(Token);
        }

        await server.Commands().StartAsync(Token);

        Assert.Equal(CommandStatus.TimedOut, (await StoredAsync(expired.Id)).Status);
        Assert.Equal(CommandStatus.Pending, (await StoredAsync(open.Id)).Status);
        server.Clock.Advance(TimeSpan.FromSeconds(4));
        await DeviceKit.EventuallyAsync(async () => (await StoredAsync(open.Id)).Status == CommandStatus.TimedOut, "the open command times out");
        Assert.Equal(0, device.CommandsReceived);
    }

    private async Task<DeviceCommand> StoredAsync(Guid commandId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        return await db.FindAsync<DeviceCommand>([commandId], Token) ?? throw new InvalidOperationException("Command not stored.");
    }
}

public sealed class DeviceCommandsSqliteTests(SqliteDevicesFixture fixture) : DeviceCommandsTests(fixture.Server), IClassFixture<SqliteDevicesFixture>;

public sealed class DeviceCommandsPostgresTests(PostgresDevicesFixture fixture) : DeviceCommandsTests(fixture.Server), IClassFixture<PostgresDevicesFixture>;
