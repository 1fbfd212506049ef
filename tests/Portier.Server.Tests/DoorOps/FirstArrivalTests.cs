using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Devices;
using Portier.Core.Doors;
using Portier.Core.Model;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.DoorOps;

/// <summary>First-to-arrive doors: each test runs its own server, the clock only moves forward.</summary>
public sealed class FirstArrivalTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static DateTimeOffset Utc(int month, int day, int hour, int minute, int second = 0) =>
        new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    private const string StaffCard = "5747AFF0";
    private const string MemberCard = "0BADCAFE";

    private sealed record Scene(PortierServer Server, PairedDevice Paired, TestDevice Device, Guid Site, Guid Staff, Guid Member)
    {
        public Guid Door => Paired.DoorId;
    }

    /// <summary>
    /// A Berlin door with these auto-unlock windows and its controller, a staff member and a member (both granted the whole
    /// site, each with a card), and a webhook for door events; the door's auto-unlock then waits for staff (scope door).
    /// </summary>
    private static async Task<Scene> ArrangeAsync(PortierServer server, object[] windows)
    {
        // The windows come with the gate, so the door is never latched before it waits for staff.
        var (paired, device) = await server.DoorWithControllerAsync();
        var admin = server.Admin();
        var site = (await admin.GetJsonAsync($"/api/v1/doors/{paired.DoorId}")).GetProperty("siteId").GetGuid();
        var staff = await admin.CreatePersonAsync(site, "Sam Keyholder", personType: "staff");
        var member = await admin.CreatePersonAsync(site, "Mia Member", personType: "member");
        foreach (var (person, card) in new[] { (staff, StaffCard), (member, MemberCard) })
        {
            await (await admin.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true })).ExpectAsync(HttpStatusCode.Created);
            await (await admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = card })).ExpectAsync(HttpStatusCode.Created);
        }
        await (await admin.PostJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hooks", eventTypes = new[] { "door.*" }, siteId = site }))
            .ExpectAsync(HttpStatusCode.Created);
        await (await admin.PutJsonAsync($"/api/v1/doors/{paired.DoorId}", new
        {
            siteId = site, name = "Front door", autoUnlock = windows, firstToArrive = new { scope = "door", personTypes = new[] { "staff" } },
        })).ExpectAsync(HttpStatusCode.OK);
        return new Scene(server, paired, device, site, staff, member);
    }

    /// <summary>
    /// A card at the door's reader at <paramref name="at"/>; the unlock it earns is acknowledged and, when it
    /// <paramref name="latches"/> the door, the latch too (the two race: the latch follows the recorded grant).
    /// </summary>
    private static async Task ScanAsync(Scene s, DateTimeOffset at, string card, bool latches = false)
    {
        s.Server.Clock.SetUtcNow(at);
        await s.Device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, card), DateTimeOffset.UnixEpoch));
        var seen = new List<CommandType>();
        while (seen.Count < (latches ? 2 : 1))
        {
            var command = await s.Device.NextCommandAsync();
            await s.Device.AckAsync(command.CommandId);
            seen.Add(command.Type);
        }
        CommandType[] expected = latches ? [CommandType.LatchOpen, CommandType.Unlock] : [CommandType.Unlock];
        Assert.Equal(expected.Order(), seen.Order());
    }

    private static async Task<RelayState?> LatchStateAsync(Scene s) => (await s.Server.LatchAsync(s.Door))?.State;

    private static async Task<string> ScheduleReasonAsync(Scene s) =>
        (await (await s.Server.Admin().PostJsonAsync("/api/v1/decisions/explain", new { doorId = s.Door, schedule = true }))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("reason").GetString()!;

    private static Task<List<string>> AnnouncedAsync(PortierServer server, Guid site) => server.QueryAsync(db =>
        db.Set<WebhookMessage>().Where(m => m.SiteId == site && m.Type == WebhookEventTypes.DoorFirstArrival).Select(m => m.Type).ToListAsync(Token));

    [Fact]
    public async Task Window_WaitsForStaff_AMembersScanDoesNotStartIt_TheFirstStaffScanLatchesAtOnce_OnceADay()
    {
        // 2026-03-02 is a Monday; Berlin is UTC+1: the window 08:00-18:00 is 07:00-17:00 UTC.
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 6, 0));
        var s = await ArrangeAsync(server, [DoorOpsKit.Window("monday", "08:00", "18:00")]);
        await using var _ = s.Device;

        await server.PassAtAsync(Utc(3, 2, 7, 0));
        await s.Device.ExpectNoCommandAsync();
        Assert.Equal("awaiting_first_arrival", await ScheduleReasonAsync(s));
        var waiting = (await server.Admin().GetJsonAsync($"/api/v1/doors/{s.Door}")).GetProperty("firstArrivalToday");
        Assert.False(waiting.GetProperty("started").GetBoolean());
        Assert.Contains("person type staff", waiting.GetProperty("summary").GetString());

        await ScanAsync(s, Utc(3, 2, 7, 10), MemberCard);
        await s.Device.ExpectNoCommandAsync();
        Assert.Null(await LatchStateAsync(s));

        await ScanAsync(s, Utc(3, 2, 7, 20), StaffCard, latches: true);
        await DeviceKit.EventuallyAsync(async () => await LatchStateAsync(s) == RelayState.LatchedOpen, "the latch is recorded");
        Assert.Equal("granted", await ScheduleReasonAsync(s));
        var started = (await server.Admin().GetJsonAsync($"/api/v1/doors/{s.Door}")).GetProperty("firstArrivalToday");
        Assert.Equal(s.Staff, started.GetProperty("personId").GetGuid());
        Assert.Equal("Started by Sam Keyholder at 08:20.", started.GetProperty("summary").GetString());

        // A second staff scan the same day starts nothing new and announces nothing.
        await ScanAsync(s, Utc(3, 2, 9, 0), StaffCard);
        await server.PassAtAsync(Utc(3, 2, 16, 59, 59));
        await s.Device.ExpectNoCommandAsync();
        await server.PassAtAsync(Utc(3, 2, 17, 0));
        await s.Device.ExpectCommandAsync(CommandType.Release);
        await DeviceKit.EventuallyAsync(async () => (await AnnouncedAsync(server, s.Site)).Count == 1, "the first arrival is announced once");
        await Task.Delay(300, Token);
        Assert.Single(await AnnouncedAsync(server, s.Site));
    }

    [Fact]
    public async Task WindowThroughMidnight_YesterdaysArrivalDoesNotCarryOver_TheDoorLocksAtMidnightUntilStaffCome()
    {
        // Monday 07:00-24:00 and Tuesday 00:00-19:00 local: one latch across midnight, were it not first-to-arrive.
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 5, 0));
        var s = await ArrangeAsync(server, [DoorOpsKit.Window("monday", "07:00", "24:00"), DoorOpsKit.Window("tuesday", "00:00", "19:00")]);
        await using var _ = s.Device;

        await ScanAsync(s, Utc(3, 2, 8, 0), StaffCard, latches: true);
        // Midnight in Berlin is 23:00 UTC: the scheduler wakes for it although no window changes.
        Assert.Equal(NodaTime.Instant.FromDateTimeOffset(Utc(3, 2, 23, 0)), await server.Latches().RunDueAsync(Token));
        await server.PassAtAsync(Utc(3, 2, 22, 59, 59));
        await s.Device.ExpectNoCommandAsync();
        await server.PassAtAsync(Utc(3, 2, 23, 0));
        Assert.Equal("normal", (await s.Device.ExpectCommandAsync(CommandType.Release)).Reason);
        Assert.Equal("awaiting_first_arrival", await ScheduleReasonAsync(s));

        await server.PassAtAsync(Utc(3, 3, 6, 0));
        await s.Device.ExpectNoCommandAsync();
        await ScanAsync(s, Utc(3, 3, 6, 30), StaffCard, latches: true);
        await DeviceKit.EventuallyAsync(async () => (await AnnouncedAsync(server, s.Site)).Count == 2, "each day's first arrival is announced");
    }

    [Fact]
    public async Task FallBackDay_LastsTwentyFiveHours_AnArrivalAfterLocalMidnightButBeforeUtcMidnightHoldsTheWholeLocalDay()
    {
        // Berlin falls back on Sunday 2026-10-25: the local day runs from 00:00 CEST (24 Oct 22:00 UTC) to 00:00 CET (25 Oct 23:00 UTC).
        await using var server = await DoorOpsKit.StartServerAsync(Utc(10, 24, 21, 0));
        var s = await ArrangeAsync(server, [DoorOpsKit.Window("saturday", "00:00", "24:00"), DoorOpsKit.Window("sunday", "00:00", "24:00"),
            DoorOpsKit.Window("monday", "00:00", "24:00")]);
        await using var _ = s.Device;

        // Saturday's arrival latches Saturday's window, and ends with Saturday.
        await ScanAsync(s, Utc(10, 24, 21, 30), StaffCard, latches: true);
        await server.PassAtAsync(Utc(10, 24, 22, 0));
        await s.Device.ExpectCommandAsync(CommandType.Release);

        // 01:00 CEST on Sunday is still Saturday in UTC.
        await ScanAsync(s, Utc(10, 24, 23, 0), StaffCard, latches: true);
        await server.PassAtAsync(Utc(10, 25, 1, 30));
        await server.PassAtAsync(Utc(10, 25, 22, 30));
        await s.Device.ExpectNoCommandAsync();
        Assert.Equal(RelayState.LatchedOpen, await LatchStateAsync(s));
        await server.PassAtAsync(Utc(10, 25, 23, 0));
        await s.Device.ExpectCommandAsync(CommandType.Release);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task SiteScope_ArrivalAtAnotherDoor_StartsTheDay_AndARestartRemembersIt(DatabaseKind kind)
    {
        var database = await TestDatabase.CreateAsync(kind);
        Scene s;
        Guid gated;
        await using (var first = await DoorOpsKit.StartServerAsync(Utc(3, 2, 6, 0), database, ownsDatabase: false))
        {
            s = await ArrangeAsync(first, [DoorOpsKit.Window("monday", "08:00", "18:00")]);
            await using var _ = s.Device;
            // A second door of the site, gated by arrivals anywhere on the site; its controller is not connected.
            var admin = first.Admin();
            gated = (await (await admin.PostJsonAsync("/api/v1/doors", new
            {
                siteId = s.Site, name = "Side door", autoUnlock = new[] { DoorOpsKit.Window("monday", "08:00", "18:00") },
                firstToArrive = new { scope = "site", people = new[] { s.Member } },
            })).ExpectAsync(HttpStatusCode.Created)).Id();
            await first.PassAtAsync(Utc(3, 2, 7, 30));
            Assert.Null(await first.LatchAsync(gated));

            await ScanAsync(s, Utc(3, 2, 7, 40), MemberCard);
            await DeviceKit.EventuallyAsync(async () => (await first.LatchAsync(gated))?.State == RelayState.LatchedOpen, "the side door latches");
            // The member is not staff: the front door still waits.
            Assert.Null(await LatchStateAsync(s));
        }

        await using var second = await DoorOpsKit.StartServerAsync(Utc(3, 2, 12, 0), database);
        await second.Latches().RunDueAsync(Token);
        Assert.Equal(RelayState.LatchedOpen, (await second.LatchAsync(gated))!.State);
        var today = (await second.Admin().GetJsonAsync($"/api/v1/doors/{gated}")).GetProperty("firstArrivalToday");
        Assert.Equal(s.Member, today.GetProperty("personId").GetGuid());
        Assert.Equal(s.Door, today.GetProperty("arrivedAtDoorId").GetGuid());
    }

    [Fact]
    public async Task BadSettings_AreRefusedWithTheirCodes_AndAChangeIsAudited()
    {
        await using var server = await DoorOpsKit.StartServerAsync(Utc(3, 2, 6, 0));
        var s = await ArrangeAsync(server, [DoorOpsKit.Window("monday", "08:00", "18:00")]);
        await using var _ = s.Device;
        var admin = server.Admin();

        async Task<string> CodeOf(object? firstToArrive, object[]? windows = null) =>
            (await (await admin.PutJsonAsync($"/api/v1/doors/{s.Door}", new
            {
                siteId = s.Site, name = "Front door", autoUnlock = windows ?? [DoorOpsKit.Window("monday", "08:00", "18:00")], firstToArrive,
            })).ExpectAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString()!;

        Assert.Equal("first_arrival_group_empty", await CodeOf(new { scope = "door" }));
        Assert.Equal("first_arrival_without_auto_unlock", await CodeOf(new { personTypes = new[] { "staff" } }, []));
        Assert.Equal("unknown_person_type", await CodeOf(new { personTypes = new[] { "stuff" } }));
        Assert.Equal("unknown_tag", await CodeOf(new { tags = new[] { "keyholder" } }));
        Assert.Equal("unknown_person", await CodeOf(new { people = new[] { Guid.NewGuid() } }));
        Assert.Equal("invalid_json", await CodeOf(new { scope = "building", personTypes = new[] { "staff" } }));
        Assert.Equal("validation_failed", await CodeOf(new { personTypes = new[] { "staff", "staff" } }));

        var door = await admin.GetJsonAsync($"/api/v1/doors/{s.Door}");
        Assert.Equal("door", door.GetProperty("firstToArrive").GetProperty("scope").GetString());
        Assert.Equal(["staff"], door.GetProperty("firstToArrive").GetProperty("personTypes").Strings());

        await (await admin.PutJsonAsync($"/api/v1/doors/{s.Door}", new
        {
            siteId = s.Site, name = "Front door", autoUnlock = new[] { DoorOpsKit.Window("monday", "08:00", "18:00") },
        })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, (await admin.GetJsonAsync($"/api/v1/doors/{s.Door}")).GetProperty("firstArrivalToday").ValueKind);
        var audited = await server.QueryAsync(db => db.Set<Portier.Server.Features.Audit.AuditEntry>()
            .Where(a => a.EntityId == s.Door).ToListAsync(Token));
        Assert.Contains(audited, a => (a.Before ?? "").Contains("irstToArrive", StringComparison.Ordinal) && (a.Before ?? "").Contains("staff", StringComparison.Ordinal));
    }
}
