using System.Net;
using NodaTime;
using Portier.Core.Devices;
using Portier.Core.Doors;
using Portier.Server.Features.Devices;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.DoorOps;

/// <summary>Each test runs its own server: a schedule needs its own calendar, and the clock only moves forward.</summary>
public sealed class AutoUnlockSchedulerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static DateTimeOffset Utc(int month, int day, int hour, int minute, int second = 0) =>
        new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public async Task Pass_AcrossAWindow_LatchesAtItsStartAndReleasesAtItsEnd()
    {
        // 2026-03-02 is a Monday; Berlin is UTC+1: the window is 09:30-10:00 UTC.
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 9, 0));
        var (paired, device) = await server.DoorWithControllerAsync(autoUnlock: [DoorOpsKit.Window("monday", "10:30", "11:00")]);
        await using var _ = device;

        Assert.Equal(Instant.FromDateTimeOffset(Utc(3, 2, 9, 30)), await server.Latches().RunDueAsync(Token));
        await server.PassAtAsync(Utc(3, 2, 9, 29, 59));
        await device.ExpectNoCommandAsync();

        await server.PassAtAsync(Utc(3, 2, 9, 30));
        Assert.Equal("auto_unlock", (await device.ExpectCommandAsync(CommandType.LatchOpen)).Reason);
        await server.PassAtAsync(Utc(3, 2, 9, 59, 59));
        await device.ExpectNoCommandAsync();

        await server.PassAtAsync(Utc(3, 2, 10, 0));
        await device.ExpectCommandAsync(CommandType.Release);
        await device.ExpectNoCommandAsync();
        Assert.Equal(RelayState.Released, (await server.LatchAsync(paired.DoorId))!.State);
    }

    [Fact]
    public async Task Pass_WindowOpens_IsOneScheduledAttemptInTheAccessLog_WithTheLatchAsItsOutcome()
    {
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 9, 0));
        var (paired, device) = await server.DoorWithControllerAsync(autoUnlock: [DoorOpsKit.Window("monday", "10:30", "11:00")]);
        await using var _ = device;

        await server.PassAtAsync(Utc(3, 2, 9, 30));
        var latch = await device.ExpectCommandAsync(CommandType.LatchOpen);
        await device.AckAsync(latch.CommandId);
        // A re-assert of the same state is not a new opening.
        await server.PassAtAsync(Utc(3, 2, 9, 31));

        System.Text.Json.JsonElement attempt = default;
        await DeviceKit.EventuallyAsync(async () =>
        {
            var items = (await server.Admin().GetJsonAsync($"/api/v1/access-events?doorId={paired.DoorId}")).GetProperty("items").EnumerateArray().ToList();
            if (items.Count != 1 || items[0].GetProperty("outcome").GetString() == "pending") return false;
            attempt = items[0];
            return true;
        }, "one scheduled attempt with its outcome");
        Assert.Equal(("scheduled", "granted", "schedule", "confirmed_unlocked"), (attempt.GetProperty("method").GetString(),
            attempt.GetProperty("reason").GetString(), attempt.GetProperty("path").GetString(), attempt.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task Pass_SiteWithUnknownZone_SkipsItsDoorsInsteadOfFollowingUtc()
    {
        // The window 09:30-10:00 on the site's clock: 08:30-09:00 UTC in Berlin. At 09:40 UTC the door is
        // released in Berlin but would be latched on a UTC clock.
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 9, 0));
        var (paired, device) = await server.DoorWithControllerAsync(autoUnlock: [DoorOpsKit.Window("monday", "09:30", "10:00")]);
        await using var _ = device;
        var site = (await server.Admin().GetJsonAsync($"/api/v1/doors/{paired.DoorId}")).GetProperty("siteId").GetGuid();

        await server.StoreSiteTimeZoneAsync(site, "Mars/Olympus_Mons");
        await server.PassAtAsync(Utc(3, 2, 9, 40));
        await device.ExpectNoCommandAsync();
        Assert.Null(await server.LatchAsync(paired.DoorId));

        // Repaired (to UTC on purpose, so the window is open now), the door follows its schedule again.
        await server.StoreSiteTimeZoneAsync(site, "UTC");
        await server.PassAtAsync(Utc(3, 2, 9, 41));
        Assert.Equal("auto_unlock", (await device.ExpectCommandAsync(CommandType.LatchOpen)).Reason);
    }

    [Fact]
    public async Task BackgroundLoop_WithoutBeingCalled_FollowsTheWindow()
    {
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 9, 0));
        var (_, device) = await server.DoorWithControllerAsync(autoUnlock: [DoorOpsKit.Window("monday", "10:30", "11:00")]);
        await using var __ = device;

        await AdvanceUntilCommandAsync(server, device, Utc(3, 2, 9, 30));
        await device.ExpectCommandAsync(CommandType.LatchOpen);
        await AdvanceUntilCommandAsync(server, device, Utc(3, 2, 10, 0));
        await device.ExpectCommandAsync(CommandType.Release);
        Assert.True(server.Clock.GetUtcNow() >= Utc(3, 2, 10, 0));
    }

    [Fact]
    public async Task UpdateDoor_WindowRemovedWhileLatched_ReleasesAtOnce()
    {
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 9, 0));
        var (paired, device) = await server.DoorWithControllerAsync(autoUnlock: [DoorOpsKit.Window("monday", "10:30", "11:00")]);
        await using var _ = device;
        await server.PassAtAsync(Utc(3, 2, 9, 40));
        await device.ExpectCommandAsync(CommandType.LatchOpen);

        var admin = server.Admin();
        var door = await admin.GetJsonAsync($"/api/v1/doors/{paired.DoorId}");
        await (await admin.PutJsonAsync($"/api/v1/doors/{paired.DoorId}",
            new { siteId = door.GetProperty("siteId").GetGuid(), name = "Front door", autoUnlock = Array.Empty<object>() })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("normal", (await device.ExpectCommandAsync(CommandType.Release)).Reason);
    }

    [Fact]
    public async Task Pass_NewYorkSpringForward_WindowStartingInTheSkippedHourOpensAtTheJump()
    {
        // 2026-03-08 02:00 EST jumps to 03:00 EDT (07:00 UTC). The window 02:30-04:00 opens at the jump
        // and closes at 04:00 EDT (08:00 UTC).
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 8, 5, 0));
        var (_, device) = await server.DoorWithControllerAsync("America/New_York", [DoorOpsKit.Window("sunday", "02:30", "04:00")]);
        await using var __ = device;

        Assert.Equal(Instant.FromDateTimeOffset(Utc(3, 8, 7, 0)), await server.Latches().RunDueAsync(Token));
        await server.PassAtAsync(Utc(3, 8, 6, 59, 59));
        await device.ExpectNoCommandAsync();
        await server.PassAtAsync(Utc(3, 8, 7, 0));
        await device.ExpectCommandAsync(CommandType.LatchOpen);
        await server.PassAtAsync(Utc(3, 8, 7, 59, 59));
        await device.ExpectNoCommandAsync();
        await server.PassAtAsync(Utc(3, 8, 8, 0));
        await device.ExpectCommandAsync(CommandType.Release);
        await device.ExpectNoCommandAsync();
    }

    [Fact]
    public async Task Pass_BerlinFallBack_WindowInTheRepeatedHourLatchesInBothPasses()
    {
        // 2026-10-25 03:00 CEST falls back to 02:00 CET (01:00 UTC): 02:00-02:30 happens twice,
        // at 00:00-00:30 UTC and again at 01:00-01:30 UTC.
        await using var server = await DoorOpsKit.StartServerAsync(Utc(10, 24, 23, 0));
        var (_, device) = await server.DoorWithControllerAsync("Europe/Berlin", [DoorOpsKit.Window("sunday", "02:00", "02:30")]);
        await using var __ = device;

        Assert.Equal(Instant.FromDateTimeOffset(Utc(10, 25, 0, 0)), await server.Latches().RunDueAsync(Token));
        await server.PassAtAsync(Utc(10, 25, 0, 0));
        await device.ExpectCommandAsync(CommandType.LatchOpen);
        await server.PassAtAsync(Utc(10, 25, 0, 30));
        await device.ExpectCommandAsync(CommandType.Release);
        await server.PassAtAsync(Utc(10, 25, 0, 59, 59));
        await device.ExpectNoCommandAsync();
        await server.PassAtAsync(Utc(10, 25, 1, 0));
        await device.ExpectCommandAsync(CommandType.LatchOpen);
        await server.PassAtAsync(Utc(10, 25, 1, 30));
        await device.ExpectCommandAsync(CommandType.Release);
        await device.ExpectNoCommandAsync();
    }

    [Theory]
    [InlineData("Europe/Berlin", 2026, 3, 29)]
    [InlineData("Europe/Berlin", 2026, 10, 25)]
    [InlineData("America/New_York", 2026, 3, 8)]
    [InlineData("America/New_York", 2026, 11, 1)]
    public async Task WholeDstSwitchDay_EachOpeningAndClosingFiresOnceAtItsLocalTime(string timeZone, int year, int month, int day)
    {
        // 01:00-04:00 spans the switch: two hours long in spring, four in autumn, and in autumn it must neither
        // close nor open again in the repeated hour. The others are ordinary hours on a 23- or 25-hour day.
        string[][] windows = [["01:00", "04:00"], ["09:00", "12:00"], ["13:00", "17:30"]];
        var zone = DateTimeZoneProviders.Tzdb[timeZone];
        var date = new LocalDate(year, month, day);
        var dayStart = zone.AtStartOfDay(date).ToInstant();
        var dayEnd = zone.AtStartOfDay(date.PlusDays(1)).ToInstant();
        Assert.NotEqual(Duration.FromHours(24), dayEnd - dayStart);
        Instant At(string local) => zone.AtLeniently(date.At(NodaTime.Text.LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(local).Value)).ToInstant();
        var expected = windows.SelectMany(w => new[] { (At(w[0]), CommandType.LatchOpen), (At(w[1]), CommandType.Release) }).ToList();

        var start = dayStart - Duration.FromHours(1);
        await using var server = await DoorOpsKit.StartServerAsync(start.ToDateTimeOffset());
        var weekday = date.DayOfWeek.ToString().ToLowerInvariant();
        var (paired, device) = await server.DoorWithControllerAsync(timeZone, [.. windows.Select(w => DoorOpsKit.Window(weekday, w[0], w[1]))]);
        await using var _ = device;

        // Five-minute steps over the whole day, plus a pass a second before each boundary.
        var stops = Enumerable.Range(0, (int)((dayEnd - start).TotalMinutes / 5) + 13).Select(i => start + Duration.FromMinutes(5 * i))
            .Concat(expected.Select(x => x.Item1 - Duration.FromSeconds(1))).Distinct().Order().ToList();
        var fired = new List<(Instant, CommandType)>();
        Guid? last = null;
        foreach (var stop in stops)
        {
            await server.PassAtAsync(stop.ToDateTimeOffset());
            if ((await server.LatchAsync(paired.DoorId))?.CommandId is not { } sent || sent == last) continue;
            last = sent;
            var command = await device.NextCommandAsync();
            Assert.Equal(sent, command.CommandId);
            await device.AckAsync(command.CommandId);
            await ConfirmedAsync(server, paired.DoorId);
            fired.Add((stop, command.Type));
        }
        await device.ExpectNoCommandAsync();
        Assert.Equal(expected, fired);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Restart_MidWindow_ReassertsTheLatchOnceAndReleasesAtTheWindowEnd(DatabaseKind kind)
    {
        var database = await TestDatabase.CreateAsync(kind);
        var paired = await LatchedThenStoppedAsync(database, windowEnd: "12:00");

        await using var second = await DoorOpsKit.StartServerAsync(Utc(3, 2, 10, 0), database);
        await second.Latches().RunDueAsync(Token);
        await using var reconnected = await second.ConnectAsync(paired);
        await reconnected.ExpectNoCommandAsync();

        // The controller is heard from after the restart: told once that the door is latched.
        await reconnected.HeartbeatAsync();
        await reconnected.ExpectCommandAsync(CommandType.LatchOpen);
        await ConfirmedAsync(second, paired.DoorId);
        await reconnected.HeartbeatAsync();
        await second.PassAtAsync(Utc(3, 2, 10, 30));
        await reconnected.ExpectNoCommandAsync();

        await second.PassAtAsync(Utc(3, 2, 11, 0));
        await reconnected.ExpectCommandAsync(CommandType.Release);
        // The ack is recorded before the controller is heard from again, or the release would be re-asserted.
        await ConfirmedAsync(second, paired.DoorId);
        await reconnected.HeartbeatAsync();
        await second.PassAtAsync(Utc(3, 2, 11, 30));
        await reconnected.ExpectNoCommandAsync();
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Restart_AfterTheWindowEnded_ReleasesAtStartAndAgainWhenTheMissedCommandTimedOut(DatabaseKind kind)
    {
        var database = await TestDatabase.CreateAsync(kind);
        var paired = await LatchedThenStoppedAsync(database, windowEnd: "11:00");

        // Down across the window end: the first pass sends the release before the controller is back.
        await using var second = await DoorOpsKit.StartServerAsync(Utc(3, 2, 12, 0), database);
        await DeviceKit.EventuallyAsync(async () => (await second.LatchAsync(paired.DoorId))?.State == RelayState.Released,
            "the release is commanded at start-up");
        await using var reconnected = await second.ConnectAsync(paired);
        second.Clock.Advance(TimeSpan.FromSeconds(6));
        await DeviceKit.EventuallyAsync(async () => (await second.LatchAsync(paired.DoorId))?.CommandStatus == CommandStatus.TimedOut,
            "the missed release times out");

        await reconnected.HeartbeatAsync();
        await reconnected.ExpectCommandAsync(CommandType.Release);
        await ConfirmedAsync(second, paired.DoorId);
        await reconnected.HeartbeatAsync();
        await second.Latches().RunDueAsync(Token);
        await reconnected.ExpectNoCommandAsync();
    }

    /// <summary>A first server latches a Monday window from 10:30 Berlin (09:30 UTC), then stops, keeping its database.</summary>
    private static async Task<PairedDevice> LatchedThenStoppedAsync(TestDatabase database, string windowEnd)
    {
        await using var first = await DoorOpsKit.StartServerAsync(Utc(3, 2, 9, 0), database, ownsDatabase: false);
        var (paired, device) = await first.DoorWithControllerAsync(autoUnlock: [DoorOpsKit.Window("monday", "10:30", windowEnd)]);
        await using var _ = device;
        await first.PassAtAsync(Utc(3, 2, 9, 30));
        await device.ExpectCommandAsync(CommandType.LatchOpen);
        await ConfirmedAsync(first, paired.DoorId);
        return paired;
    }

    private static async Task ConfirmedAsync(PortierServer server, Guid doorId)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while ((await server.LatchAsync(doorId)) is not { CommandStatus: CommandStatus.Confirmed })
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                var latch = await server.LatchAsync(doorId);
                Assert.Fail($"The controller's ack is not recorded on the latch: {latch?.State} {latch?.CommandId} {latch?.CommandStatus}");
            }
            await Task.Delay(25, Token);
        }
    }

    /// <summary>Moves the clock to <paramref name="at"/>, then on in small steps until the scheduler's own loop sends a command.</summary>
    private static async Task AdvanceUntilCommandAsync(PortierServer server, TestDevice device, DateTimeOffset at)
    {
        server.Clock.SetUtcNow(at);
        await DeviceKit.EventuallyAsync(() =>
        {
            if (device.HasPendingCommand) return Task.FromResult(true);
            server.Clock.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(false);
        }, "the scheduler loop sends the command by itself");
    }
}
