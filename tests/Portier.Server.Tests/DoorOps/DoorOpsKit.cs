using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Devices;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.DoorOps;

/// <summary>Keeps every door event published, to check each alarm is announced once.</summary>
public sealed class RecordingDoorEventPublisher : IDoorEventPublisher
{
    public ConcurrentQueue<(string What, Guid? DoorId, AlarmKind? Kind)> Published { get; } = new();

    public int Count(string what, Guid doorId, AlarmKind? kind = null) =>
        Published.Count(p => p.What == what && p.DoorId == doorId && p.Kind == kind);

    public Task DoorStateChangedAsync(DoorStateChanged change, CancellationToken ct) => Add("state", change.DoorId, null);

    public Task AlarmRaisedAsync(AlarmResponse alarm, CancellationToken ct) => Add("raised", alarm.DoorId, alarm.Kind);

    public Task AlarmClearedAsync(AlarmResponse alarm, CancellationToken ct) => Add("cleared", alarm.DoorId, alarm.Kind);

    public Task AlarmAcknowledgedAsync(AlarmResponse alarm, CancellationToken ct) => Add("acknowledged", alarm.DoorId, alarm.Kind);

    private Task Add(string what, Guid? doorId, AlarmKind? kind)
    {
        Published.Enqueue((what, doorId, kind));
        return Task.CompletedTask;
    }
}

public abstract class DoorOpsFixture(DatabaseKind kind) : DevicesFixture(kind)
{
    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        DoorOpsKit.Configure(builder);
    }
}

public sealed class SqliteDoorOpsFixture() : DoorOpsFixture(DatabaseKind.Sqlite);

public sealed class PostgresDoorOpsFixture() : DoorOpsFixture(DatabaseKind.Postgres);

public static class DoorOpsKit
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static void Configure(IWebHostBuilder builder) => builder.ConfigureTestServices(services =>
    {
        services.AddSingleton<RecordingDoorEventPublisher>();
        services.AddSingleton<IDoorEventPublisher>(sp => sp.GetRequiredService<RecordingDoorEventPublisher>());
    });

    /// <summary>A server of its own (schedules need their own calendar), started at <paramref name="start"/>.</summary>
    public static async Task<PortierServer> StartServerAsync(DateTimeOffset start, TestDatabase? database = null, bool ownsDatabase = true)
    {
        var server = new PortierServer(database ?? await TestDatabase.CreateAsync(DatabaseKind.Sqlite), Configure, start, ownsDatabase);
        _ = server.Server;
        return server;
    }

    /// <summary>A site in the time zone, a door with these auto-unlock windows, and a connected, paired controller for it.</summary>
    public static async Task<(PairedDevice Paired, TestDevice Device)> DoorWithControllerAsync(
        this PortierServer server, string timeZone = "Europe/Berlin", object[]? autoUnlock = null, int openTimeSeconds = 30)
    {
        var admin = server.Admin();
        var site = await admin.CreateSiteAsync(timeZone: timeZone);
        var door = (await (await admin.PostJsonAsync("/api/v1/doors", new { siteId = site, name = "Front door", autoUnlock = autoUnlock ?? [], openTimeSeconds }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var paired = await server.CreatePairedDeviceAsync(door);
        return (paired, await server.ConnectAsync(paired));
    }

    public static object Window(string day, string start, string end) => new { day, start, end };

    public static DoorLatchScheduler Latches(this PortierServer server) => server.Services.GetRequiredService<DoorLatchScheduler>();

    public static DoorSupervision Supervision(this PortierServer server) => server.Services.GetRequiredService<DoorSupervision>();

    public static RecordingDoorEventPublisher Events(this PortierServer server) => server.Services.GetRequiredService<RecordingDoorEventPublisher>();

    /// <summary>Moves the clock to <paramref name="at"/> and runs a scheduler pass there.</summary>
    public static async Task PassAtAsync(this PortierServer server, DateTimeOffset at)
    {
        server.Clock.SetUtcNow(at);
        await server.Latches().RunDueAsync(Token);
    }

    /// <summary>The next command must be of this type; the controller acknowledges it.</summary>
    public static async Task<CommandMessage> ExpectCommandAsync(this TestDevice device, CommandType type)
    {
        var command = await device.NextCommandAsync();
        Assert.Equal(type, command.Type);
        await device.AckAsync(command.CommandId);
        return command;
    }

    /// <summary>Nothing more reaches the controller (checked after a short real-time wait).</summary>
    public static async Task ExpectNoCommandAsync(this TestDevice device)
    {
        await Task.Delay(300, Token);
        Assert.False(device.HasPendingCommand,
            $"no further command was expected, got {device.PendingCommand?.Type} ({device.PendingCommand?.Reason}) at {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
    }

    public static async Task<DoorLatch?> LatchAsync(this PortierServer server, Guid doorId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().FindAsync<DoorLatch>([doorId], Token);
    }

    public static Task<HttpResponseMessage> SetMaintenanceAsync(this PortierServer server, Guid doorId, string mode) =>
        server.Admin().PutJsonAsync($"/api/v1/doors/{doorId}/maintenance", new { mode });

    public static Task<MQTTnet.MqttClientPublishResult> ReportDoorAsync(this TestDevice device, DoorPosition door, bool? requestToExit = null) =>
        device.PublishAsync(DeviceTopic.State, new StateMessage(door, DateTimeOffset.UnixEpoch, requestToExit));
}
