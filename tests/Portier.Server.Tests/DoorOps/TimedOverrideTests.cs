using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Devices;
using Portier.Core.Doors;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.DoorOps;

/// <summary>Each test runs its own server: the clock only moves forward.</summary>
public sealed class TimedOverrideTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static DateTimeOffset Utc(int month, int day, int hour, int minute, int second = 0) =>
        new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    /// <summary>A door with a connected controller, a person granted the whole site, and a webhook subscribed to door events.</summary>
    private static async Task<(PairedDevice Paired, TestDevice Device, Guid Site, Guid Person)> ArrangeAsync(PortierServer server, string timeZone = "Europe/Berlin")
    {
        var (paired, device) = await server.DoorWithControllerAsync(timeZone);
        var admin = server.Admin();
        var site = (await admin.GetJsonAsync($"/api/v1/doors/{paired.DoorId}")).GetProperty("siteId").GetGuid();
        var person = await admin.CreatePersonAsync(site);
        await (await admin.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true })).ExpectAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hooks", eventTypes = new[] { "door.*" }, siteId = site }))
            .ExpectAsync(HttpStatusCode.Created);
        return (paired, device, site, person);
    }

    private static Task<HttpResponseMessage> StartAsync(PortierServer server, Guid door, object body) =>
        server.Admin().PutJsonAsync($"/api/v1/doors/{door}/override", body);

    /// <summary>The decision for the person at the door now, with the controller just heard from (the clock moves in long steps here).</summary>
    private static async Task<string> ReasonAsync(PortierServer server, TestDevice device, Guid door, Guid person)
    {
        await device.HeartbeatAsync();
        return (await (await server.Admin().PostJsonAsync("/api/v1/decisions/explain", new { doorId = door, personId = person }))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("reason").GetString()!;
    }

    private static async Task<List<string>> AnnouncedAsync(PortierServer server, Guid site)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<WebhookMessage>()
            .Where(m => m.SiteId == site && m.Type.StartsWith("door.override")).OrderBy(m => m.At).Select(m => m.Type).ToListAsync(Token);
    }

    [Fact]
    public async Task ForceClosedForThirtyMinutes_RefusesUntilItsEnd_ThenRevertsByItself()
    {
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 9, 0));
        var (paired, device, site, person) = await ArrangeAsync(server);
        await using var _ = device;
        Assert.Equal("granted", await ReasonAsync(server, device, paired.DoorId, person));

        var door = await (await StartAsync(server, paired.DoorId, new { mode = "force_closed", minutes = 30 })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("force_closed", door.GetProperty("override").GetProperty("mode").GetString());
        Assert.Equal(Utc(3, 2, 9, 30), door.GetProperty("override").GetProperty("until").GetDateTimeOffset());
        Assert.Equal("normal", door.GetProperty("maintenanceMode").GetString());
        Assert.Equal("timed_override", (await device.ExpectCommandAsync(CommandType.LockDown)).Reason);
        Assert.Equal("door_force_closed", await ReasonAsync(server, device, paired.DoorId, person));

        // Not asked again here: a heartbeat after half an hour of silence brings the controller back online, and it is told its state again.
        await server.PassAtAsync(Utc(3, 2, 9, 29, 59));
        await device.ExpectNoCommandAsync();

        await server.PassAtAsync(Utc(3, 2, 9, 30));
        Assert.Equal("normal", (await device.ExpectCommandAsync(CommandType.Release)).Reason);
        Assert.Equal("granted", await ReasonAsync(server, device, paired.DoorId, person));
        Assert.Equal(JsonValueKind.Null, (await server.Admin().GetJsonAsync($"/api/v1/doors/{paired.DoorId}")).GetProperty("override").ValueKind);
        Assert.Equal([WebhookEventTypes.DoorOverrideStarted, WebhookEventTypes.DoorOverrideEnded], await AnnouncedAsync(server, site));
    }

    [Fact]
    public async Task UnlockUntilATime_LatchesAsAScheduledAttempt_AndAnEarlyEndReleasesAtOnce()
    {
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 9, 0));
        var (paired, device, site, _) = await ArrangeAsync(server);
        await using var __ = device;

        await (await StartAsync(server, paired.DoorId, new { mode = "unlock", until = Utc(3, 2, 13, 0) })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("timed_override", (await device.ExpectCommandAsync(CommandType.LatchOpen)).Reason);
        Assert.Equal(RelayState.LatchedOpen, (await server.LatchAsync(paired.DoorId))!.State);
        var attempts = (await server.Admin().GetJsonAsync($"/api/v1/access-events?doorId={paired.DoorId}")).GetProperty("items");
        Assert.Contains(attempts.EnumerateArray(), e => e.GetProperty("method").GetString() == "scheduled" && e.GetProperty("allowed").GetBoolean());

        await (await server.Admin().DeleteAsync($"/api/v1/doors/{paired.DoorId}/override", Token)).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.Release);
        var again = await server.Admin().DeleteAsync($"/api/v1/doors/{paired.DoorId}/override", Token);
        Assert.Equal("no_override", (await again.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        Assert.Equal([WebhookEventTypes.DoorOverrideStarted, WebhookEventTypes.DoorOverrideEnded], await AnnouncedAsync(server, site));
    }

    [Fact]
    public async Task ForceOpenOnTheFallBackNight_EndsAfterItsRealMinutesNotTheWallClocks()
    {
        // Berlin falls back at 03:00 CEST (01:00 UTC) on 2026-10-25. Started at 01:30 CEST (23:30 UTC) for
        // 120 minutes, the override ends at 01:30 UTC, which the wall clock shows as 02:30 CET.
        await using var server = await DoorOpsKit.StartServerAsync(new DateTimeOffset(2026, 10, 24, 23, 30, 0, TimeSpan.Zero));
        var (paired, device, _, person) = await ArrangeAsync(server);
        await using var _ = device;

        await (await StartAsync(server, paired.DoorId, new { mode = "force_open", minutes = 120 })).ExpectAsync(HttpStatusCode.OK);
        await device.ExpectCommandAsync(CommandType.LatchOpen);
        await server.PassAtAsync(Utc(10, 25, 1, 29, 59));
        await device.ExpectNoCommandAsync();
        await server.PassAtAsync(Utc(10, 25, 1, 30));
        await device.ExpectCommandAsync(CommandType.Release);
        Assert.Equal("granted", await ReasonAsync(server, device, paired.DoorId, person));
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task EndPassesWhileTheServerIsDown_TheDoorRevertsAtStartAndSubscribersHearOfIt(DatabaseKind kind)
    {
        var database = await TestDatabase.CreateAsync(kind);
        PairedDevice paired;
        Guid site, person;
        await using (var first = await DoorOpsKit.StartServerAsync(Utc(3, 2, 9, 0), database, ownsDatabase: false))
        {
            TestDevice device;
            (paired, device, site, person) = await ArrangeAsync(first);
            await using var _ = device;
            await (await StartAsync(first, paired.DoorId, new { mode = "force_closed", minutes = 60 })).ExpectAsync(HttpStatusCode.OK);
            await device.ExpectCommandAsync(CommandType.LockDown);
        }

        await using var second = await DoorOpsKit.StartServerAsync(Utc(3, 2, 12, 0), database);
        await DeviceKit.EventuallyAsync(async () => (await second.LatchAsync(paired.DoorId))?.State == RelayState.Released,
            "the release is commanded at start-up");
        await using var reconnected = await second.ConnectAsync(paired);
        Assert.Equal("granted", await ReasonAsync(second, reconnected, paired.DoorId, person));
        Assert.Equal(JsonValueKind.Null, (await second.Admin().GetJsonAsync($"/api/v1/doors/{paired.DoorId}")).GetProperty("override").ValueKind);
        Assert.Equal([WebhookEventTypes.DoorOverrideStarted, WebhookEventTypes.DoorOverrideEnded], await AnnouncedAsync(second, site));
    }

    [Fact]
    public async Task BadOverrides_AreRefusedWithTheirCodes_AndChangeNothing()
    {
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 9, 0));
        var (paired, device, _, _) = await ArrangeAsync(server);
        await using var __ = device;

        async Task<string> CodeOf(object body) =>
            (await (await StartAsync(server, paired.DoorId, body)).ExpectAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString()!;

        Assert.Equal("validation_failed", await CodeOf(new { mode = "force_open" }));
        Assert.Equal("validation_failed", await CodeOf(new { mode = "force_open", minutes = 10, until = Utc(3, 2, 10, 0) }));
        Assert.Equal("validation_failed", await CodeOf(new { mode = "force_open", minutes = 0 }));
        Assert.Equal("validation_failed", await CodeOf(new { minutes = 10 }));
        Assert.Equal("override_end_passed", await CodeOf(new { mode = "force_open", until = Utc(3, 2, 8, 0) }));
        Assert.Equal("override_too_long", await CodeOf(new { mode = "force_open", until = Utc(4, 5, 9, 0) }));
        Assert.Equal(JsonValueKind.Null, (await server.Admin().GetJsonAsync($"/api/v1/doors/{paired.DoorId}")).GetProperty("override").ValueKind);
        await device.ExpectNoCommandAsync();
    }
}
