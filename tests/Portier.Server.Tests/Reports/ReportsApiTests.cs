using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Server.Features.Occupancy;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Reports;

public abstract class ReportsApiTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string Q(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O"));

    [Fact]
    public async Task AccessSummaryAndTopDenied_ADayOfTraffic_CountByReasonDoorAndLocalHour()
    {
        var site = await _admin.CreateSiteAsync(timeZone: "Europe/Berlin");
        var front = await _admin.CreateDoorAsync(site, "Front");
        var lab = await _admin.CreateDoorAsync(site, "Lab");
        var (alice, bob) = (Guid.NewGuid(), Guid.NewGuid());
        // 2026-03-02 is CET (UTC+1): 07:00 UTC is 08:00 in Berlin.
        var day = Instant.FromUtc(2026, 3, 2, 0, 0);
        await server.AppendAsync(site, front, personId: alice, at: day + Duration.FromHours(7));
        await server.AppendAsync(site, front, personId: bob, at: day + Duration.FromHours(7) + Duration.FromMinutes(5));
        for (var i = 0; i < 3; i++) await server.AppendAsync(site, lab, allowed: false, reason: "outside_access_hours", personId: bob, at: day + Duration.FromHours(20));
        await server.AppendAsync(site, lab, allowed: false, personId: alice, at: day + Duration.FromHours(21));
        await server.AppendAsync(site, front, allowed: false, at: day + Duration.FromHours(25));

        var range = $"siteId={site}&from={Q(day.ToDateTimeOffset())}&to={Q(day.ToDateTimeOffset().AddDays(1))}";
        var summary = await _admin.GetJsonAsync($"/api/v1/reports/access-summary?{range}");
        Assert.Equal(2, summary.GetProperty("granted").GetInt32());
        Assert.Equal(4, summary.GetProperty("denied").GetInt32());
        Assert.Equal("Europe/Berlin", summary.GetProperty("timeZone").GetString());
        var top = summary.GetProperty("byReason")[0];
        Assert.Equal(("outside_access_hours", 3), (top.GetProperty("reason").GetString(), top.GetProperty("count").GetInt32()));
        var labRow = summary.GetProperty("byDoor").EnumerateArray().Single(d => d.GetProperty("doorId").GetGuid() == lab);
        Assert.Equal(("Lab", 0, 4), (labRow.GetProperty("doorName").GetString(), labRow.GetProperty("granted").GetInt32(), labRow.GetProperty("denied").GetInt32()));
        var hours = summary.GetProperty("byHour");
        Assert.Equal(24, hours.GetArrayLength());
        Assert.Equal(2, hours[8].GetProperty("granted").GetInt32());
        Assert.Equal(3, hours[21].GetProperty("denied").GetInt32());
        Assert.Equal(1, hours[22].GetProperty("denied").GetInt32());

        var denied = await _admin.GetJsonAsync($"/api/v1/reports/top-denied?{range}&limit=5");
        Assert.Equal(bob, denied.GetProperty("people")[0].GetProperty("personId").GetGuid());
        Assert.Equal(3, denied.GetProperty("people")[0].GetProperty("denied").GetInt32());
        Assert.Equal(2, denied.GetProperty("people").GetArrayLength());
        Assert.Equal("Lab", denied.GetProperty("doors")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task OccupancyReport_HourAndDayBuckets_AlignToSiteLocalTime()
    {
        var site = await _admin.CreateSiteAsync(timeZone: "Europe/Berlin");
        var zone = await _admin.CreateZoneAsync(site, "Hall", capacity: 10);
        var occupancy = server.Services.GetRequiredService<OccupancyService>();
        var start = server.Clock.GetUtcNow();
        // 09:00 UTC = 10:00 local: three in, then one out an hour later, then two in.
        for (var i = 0; i < 3; i++) await occupancy.TryEnterAsync(zone, Ct);
        server.Clock.Advance(TimeSpan.FromMinutes(70));
        await occupancy.ExitAsync(zone, Ct);
        server.Clock.Advance(TimeSpan.FromMinutes(60));
        await occupancy.TryEnterAsync(zone, Ct);
        await occupancy.TryEnterAsync(zone, Ct);

        var hourly = await _admin.GetJsonAsync($"/api/v1/reports/occupancy?zoneId={zone}&bucket=hour&from={Q(start.AddMinutes(-30))}&to={Q(start.AddHours(3))}");
        var buckets = hourly.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(4, buckets.Count);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(1)), buckets[0].GetProperty("start").GetDateTimeOffset());
        Assert.Equal(TimeSpan.FromHours(1), buckets[0].GetProperty("start").GetDateTimeOffset().Offset);
        Assert.Equal([0, 3, 2, 4], buckets.Select(b => b.GetProperty("closing").GetInt32()));
        Assert.Equal([0, 3, 3, 4], buckets.Select(b => b.GetProperty("peak").GetInt32()));
        Assert.Equal(1, buckets[2].GetProperty("exits").GetInt32());

        var daily = await _admin.GetJsonAsync($"/api/v1/reports/occupancy?zoneId={zone}&bucket=day&from={Q(start)}&to={Q(start.AddHours(4))}");
        var only = Assert.Single(daily.GetProperty("buckets").EnumerateArray());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.FromHours(1)), only.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(4, only.GetProperty("peak").GetInt32());
        Assert.Equal(5, only.GetProperty("entries").GetInt32());

        await (await _admin.GetAsync($"/api/v1/reports/occupancy?zoneId={zone}&bucket=minute&from={Q(start)}&to={Q(start.AddDays(30))}", Ct))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "too_many_buckets");
        await (await _admin.GetAsync($"/api/v1/reports/occupancy?zoneId={zone}&from={Q(start)}&to={Q(start.AddHours(-1))}", Ct))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_range");
    }

    [Fact]
    public async Task Reports_OtherSiteOrNoPermission_Refused()
    {
        var mine = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync();
        var limited = server.WithToken(await _admin.CreateTokenAsync(["reports:read"], [mine]));
        var stranger = server.WithToken(await _admin.CreateTokenAsync(["zones:read"]));

        await limited.GetJsonAsync($"/api/v1/reports/access-summary?siteId={mine}");
        await (await limited.GetAsync($"/api/v1/reports/access-summary?siteId={other}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.GetAsync($"/api/v1/reports/occupancy?zoneId={await _admin.CreateZoneAsync(other)}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.GetAsync($"/api/v1/reports/top-denied?siteId={mine}", Ct)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}

public sealed class ReportsApiSqliteTests(SqliteServerFixture fixture) : ReportsApiTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class ReportsApiPostgresTests(PostgresServerFixture fixture) : ReportsApiTests(fixture.Server), IClassFixture<PostgresServerFixture>;
