using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Failure;

/// <summary>
/// A controller whose clock (a heartbeat's sentAt) is more than 60 s off the server's is flagged on
/// its device and announced once per episode; the flag clears at the first heartbeat back in range.
/// </summary>
public abstract class ClockSkewTests(PortierServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Heartbeat_ClockTenMinutesBehind_FlagsOncePerEpisode_ClearsBackInRange()
    {
        var paired = await server.CreatePairedDeviceAsync();
        var siteId = (await server.GetDeviceAsync(paired.Id)).GetProperty("siteId").GetGuid();
        await (await server.Admin().PostJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hooks", eventTypes = new[] { "device.*" }, siteId }))
            .ExpectAsync(HttpStatusCode.Created);
        await using var device = await server.ConnectAsync(paired);

        // QoS 1: the broker acknowledges a heartbeat once the server has handled it.
        await device.HeartbeatAsync(sentAt: server.Clock.GetUtcNow().AddMinutes(-10));
        var flagged = await server.GetDeviceAsync(paired.Id);
        Assert.True(flagged.GetProperty("clockSkewed").GetBoolean());
        Assert.Equal(-600, flagged.GetProperty("clockOffsetSeconds").GetInt32());
        Assert.Equal(server.Clock.GetUtcNow(), flagged.GetProperty("clockSkewedSince").GetDateTimeOffset());

        server.Clock.Advance(TimeSpan.FromSeconds(30));
        await device.HeartbeatAsync(sentAt: server.Clock.GetUtcNow().AddMinutes(-10));
        Assert.Equal(1, await AnnouncedAsync(siteId, WebhookEventTypes.DeviceClockSkewed));

        server.Clock.Advance(TimeSpan.FromSeconds(30));
        await device.HeartbeatAsync(sentAt: server.Clock.GetUtcNow().AddSeconds(59));
        var cleared = await server.GetDeviceAsync(paired.Id);
        Assert.False(cleared.GetProperty("clockSkewed").GetBoolean());
        Assert.Equal(59, cleared.GetProperty("clockOffsetSeconds").GetInt32());
        Assert.Equal(1, await AnnouncedAsync(siteId, WebhookEventTypes.DeviceClockInRange));

        await device.HeartbeatAsync(sentAt: server.Clock.GetUtcNow().AddSeconds(61));
        Assert.True((await server.GetDeviceAsync(paired.Id)).GetProperty("clockSkewed").GetBoolean());
        Assert.Equal(2, await AnnouncedAsync(siteId, WebhookEventTypes.DeviceClockSkewed));
    }

    private async Task<int> AnnouncedAsync(Guid siteId, string type)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<WebhookMessage>()
            .CountAsync(m => m.SiteId == siteId && m.Type == type, Ct);
    }
}

public sealed class ClockSkewSqliteTests(SqliteDevicesFixture fixture) : ClockSkewTests(fixture.Server), IClassFixture<SqliteDevicesFixture>;

public sealed class ClockSkewPostgresTests(PostgresDevicesFixture fixture) : ClockSkewTests(fixture.Server), IClassFixture<PostgresDevicesFixture>;
