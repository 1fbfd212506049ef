using System.Net;
using System.Text;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Calendars;

/// <summary>Holiday calendars through the front door: real scans on a closed day, the API's checks and the .ics import.</summary>
public abstract class CalendarsTests(PortierServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Ics = """
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//Example//Holidays//EN
        BEGIN:VEVENT
        UID:christmas@example.org
        SUMMARY:Christmas
        DTSTART;VALUE=DATE:20251224
        DTEND;VALUE=DATE:20251227
        RRULE:FREQ=YEARLY
        END:VEVENT
        BEGIN:VEVENT
        UID:inventory@example.org
        SUMMARY:Inventory day
        DTSTART;VALUE=DATE:20260115
        END:VEVENT
        BEGIN:VEVENT
        UID:meeting@example.org
        SUMMARY:Staff meeting
        DTSTART:20260120T090000Z
        DTEND:20260120T100000Z
        END:VEVENT
        END:VCALENDAR
        """;

    /// <summary>Today's date at the scenario's site (New York) by the server's clock.</summary>
    private string SiteToday()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        return TimeZoneInfo.ConvertTime(server.Clock.GetUtcNow(), zone).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<MQTTnet.MqttClientPublishResult> PresentCardAsync(AccessScenario scenario) =>
        scenario.Device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, AccessScenario.Card), DateTimeOffset.UnixEpoch));

    private static async Task<Guid> CreateCalendarAsync(HttpClient admin, Guid? siteId, string name, params object[] entries) =>
        (await (await admin.PostJsonAsync("/api/v1/calendars", new { name, siteId, entries })).ExpectAsync(HttpStatusCode.Created)).Id();

    [Fact]
    public async Task Scan_OnClosedDay_IsRefusedHolidayClosed_AndAGrantExemptFromHolidaysOpens()
    {
        await using var s = await AccessScenario.CreateAsync(server);
        s.SetLocalTime(12);
        await s.HeartbeatAsync();
        await PresentCardAsync(s);
        Assert.Equal(CommandType.Unlock, (await s.AckNextCommandAsync()).Type);

        var calendar = await CreateCalendarAsync(s.Admin, s.SiteId, "Site holidays", new { name = "Founders' day", start = SiteToday(), effect = "closed" });
        await PresentCardAsync(s);
        var refused = await s.Device.NextCommandAsync();
        Assert.Equal((CommandType.Deny, "holiday_closed"), (refused.Type, refused.Reason));
        var logged = await s.SettledEventAsync(e => !e.GetProperty("allowed").GetBoolean());
        Assert.Equal("holiday_closed", logged.GetProperty("reason").GetString());

        var explained = await (await s.Admin.PostJsonAsync("/api/v1/decisions/explain", new { doorId = s.DoorId, credential = new { kind = "card", value = AccessScenario.Card } }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("holiday_closed", explained.GetProperty("reason").GetString());
        Assert.Contains("Founders' day", explained.ToString(), StringComparison.Ordinal);

        var grant = (await (await s.Admin.PostJsonAsync("/api/v1/grants", new { personId = s.PersonId, siteWide = true, holidaysApply = false }))
            .ExpectAsync(HttpStatusCode.Created));
        Assert.False(grant.GetProperty("holidaysApply").GetBoolean());
        await PresentCardAsync(s);
        Assert.Equal(CommandType.Unlock, (await s.AckNextCommandAsync()).Type);

        // The calendar gone, the site's hours hold again; its changes are in the audit trail.
        await (await s.Admin.RemoveAsync($"/api/v1/calendars/{calendar}")).ExpectAsync(HttpStatusCode.NoContent);
        var actions = (await s.Admin.GetJsonAsync($"/api/v1/audit?entityId={calendar}")).GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["deleted", "created"], actions);
    }

    [Fact]
    public async Task Scan_OnSpecialHoursDay_OutsideThemIsRefusedOutsideAccessHours()
    {
        await using var s = await AccessScenario.CreateAsync(server);
        s.SetLocalTime(12);
        await s.HeartbeatAsync();
        await CreateCalendarAsync(s.Admin, s.SiteId, "Short days", new
        {
            name = "Half day", start = SiteToday(), effect = "special_hours", windows = new[] { new { start = "08:00", end = "11:00" } },
        });
        await PresentCardAsync(s);
        var refused = await s.Device.NextCommandAsync();
        Assert.Equal((CommandType.Deny, "outside_access_hours"), (refused.Type, refused.Reason));
        // A door exempt from holidays follows the weekly hours (06:00–22:00).
        var door = await s.Admin.GetJsonAsync($"/api/v1/doors/{s.DoorId}");
        await (await s.Admin.PutJsonAsync($"/api/v1/doors/{s.DoorId}", new { siteId = s.SiteId, name = door.GetProperty("name").GetString(), zoneId = s.ZoneId, holidaysApply = false }))
            .ExpectAsync(HttpStatusCode.OK);
        await PresentCardAsync(s);
        Assert.Equal(CommandType.Unlock, (await s.AckNextCommandAsync()).Type);
    }

    [Fact]
    public async Task Api_RefusesBadEntriesWithStableCodes_AndListsSharedAndOwnCalendars()
    {
        await using var s = await AccessScenario.CreateAsync(server);
        var admin = s.Admin;
        await (await admin.PostJsonAsync("/api/v1/calendars", new { name = "Bad", siteId = s.SiteId, entries = new[] { new { name = "x", start = "2025-13-01", effect = "closed" } } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await admin.PostJsonAsync("/api/v1/calendars", new { name = "Bad", siteId = s.SiteId, entries = new[] { new { name = "x", start = "2025-12-26", end = "2025-12-24", effect = "closed" } } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await admin.PostJsonAsync("/api/v1/calendars", new { name = "Bad", siteId = s.SiteId, entries = new[] { new { name = "x", start = "2025-12-24", effect = "special_hours" } } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await admin.PostJsonAsync("/api/v1/calendars", new { name = "Bad", siteId = Guid.NewGuid() }))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        var own = await CreateCalendarAsync(admin, s.SiteId, "Site days");
        await (await admin.PostJsonAsync("/api/v1/calendars", new { name = "Site days", siteId = s.SiteId })).ExpectProblemAsync(HttpStatusCode.Conflict, "calendar_name_taken");
        var shared = await CreateCalendarAsync(admin, null, "Shared " + Guid.NewGuid().ToString("N")[..6]);
        await (await admin.PutJsonAsync($"/api/v1/calendars/{own}", new { name = "Site days", siteId = (Guid?)null })).ExpectProblemAsync(HttpStatusCode.BadRequest, "site_immutable");

        var entry = await (await admin.PostJsonAsync($"/api/v1/calendars/{own}/entries", new { name = "Open day", start = "2026-05-02", effect = "special_auto_unlock", windows = new[] { new { start = "09:00", end = "24:00" } } }))
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("special_auto_unlock", entry.GetProperty("effect").GetString());
        var listed = (await admin.GetJsonAsync($"/api/v1/calendars?siteId={s.SiteId}")).EnumerateArray().Select(c => c.Id()).ToList();
        Assert.Contains(own, listed);
        Assert.Contains(shared, listed);
        await (await admin.RemoveAsync($"/api/v1/calendars/{own}/entries/{entry.Id()}")).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(0, (await admin.GetJsonAsync($"/api/v1/calendars/{own}")).GetProperty("entries").GetArrayLength());
        await (await admin.RemoveAsync($"/api/v1/calendars/{shared}")).ExpectAsync(HttpStatusCode.NoContent);

        // A token limited to the site cannot touch a shared calendar, which every site follows.
        var limited = server.WithToken(await admin.CreateTokenAsync(["sites:read", "sites:write"], [s.SiteId]));
        await (await limited.PostJsonAsync("/api/v1/calendars", new { name = "Everywhere" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "shared_calendar_forbidden");
        await (await limited.PostJsonAsync("/api/v1/calendars", new { name = "Mine", siteId = s.SiteId })).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ImportIcs_PreviewWritesNothing_ConfirmCreatesTheEntries_AndAgainAddsNothing()
    {
        await using var s = await AccessScenario.CreateAsync(server);
        var calendar = await CreateCalendarAsync(s.Admin, s.SiteId, "Imported");
        var url = $"/api/v1/calendars/{calendar}/import";

        var preview = await (await PostIcsAsync(s.Admin, url, Ics)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(preview.GetProperty("dryRun").GetBoolean());
        var entries = preview.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["Christmas", "Inventory day"], entries.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(("2025-12-24", "2025-12-26", true), (entries[0].GetProperty("start").GetString(), entries[0].GetProperty("end").GetString(), entries[0].GetProperty("yearly").GetBoolean()));
        Assert.Equal(("2026-01-15", "2026-01-15", false), (entries[1].GetProperty("start").GetString(), entries[1].GetProperty("end").GetString(), entries[1].GetProperty("yearly").GetBoolean()));
        Assert.Equal("Staff meeting", Assert.Single(preview.GetProperty("skipped").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(0, (await s.Admin.GetJsonAsync($"/api/v1/calendars/{calendar}")).GetProperty("entries").GetArrayLength());

        var done = await (await PostIcsAsync(s.Admin, url + "?dryRun=false", Ics)).ExpectAsync(HttpStatusCode.OK);
        Assert.False(done.GetProperty("dryRun").GetBoolean());
        Assert.Equal(2, (await s.Admin.GetJsonAsync($"/api/v1/calendars/{calendar}")).GetProperty("entries").GetArrayLength());

        var again = await (await PostIcsAsync(s.Admin, url + "?dryRun=false", Ics)).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(again.GetProperty("entries").EnumerateArray());
        Assert.Equal(2, (await s.Admin.GetJsonAsync($"/api/v1/calendars/{calendar}")).GetProperty("entries").GetArrayLength());
    }

    [Theory]
    [InlineData("hello, this is not a calendar")]
    [InlineData("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")]
    [InlineData("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2025XX01\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")]
    [InlineData("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Christ\0mas\r\nDTSTART;VALUE=DATE:20261225\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")]
    public async Task ImportIcs_MalformedFile_IsRefusedWithInvalidIcs_AndWritesNothing(string text)
    {
        await using var s = await AccessScenario.CreateAsync(server);
        var calendar = await CreateCalendarAsync(s.Admin, s.SiteId, "Imported");
        await (await PostIcsAsync(s.Admin, $"/api/v1/calendars/{calendar}/import?dryRun=false", text)).ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_ics");
        Assert.Equal(0, (await s.Admin.GetJsonAsync($"/api/v1/calendars/{calendar}")).GetProperty("entries").GetArrayLength());
        var wrongType = await s.Admin.PostAsync($"/api/v1/calendars/{calendar}/import", new StringContent(Ics, Encoding.UTF8, "application/json"), Ct);
        await wrongType.ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    private static Task<HttpResponseMessage> PostIcsAsync(HttpClient client, string url, string ics)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(ics.ReplaceLineEndings("\r\n")));
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/calendar");
        form.Add(file, "file", "holidays.ics");
        return client.PostAsync(url, form, Ct);
    }
}

public sealed class CalendarsSqliteTests(SqliteUnlocksFixture fixture) : CalendarsTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class CalendarsPostgresTests(PostgresUnlocksFixture fixture) : CalendarsTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
