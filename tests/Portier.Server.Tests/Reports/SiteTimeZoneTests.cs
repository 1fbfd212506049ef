using System.Net;
using Portier.Core.Policy;
using Portier.Server.Components.Shared;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Reports;

/// <summary>
/// A site's zone is validated when saved, so an unknown one is damaged data: reports refuse it
/// rather than bucket on UTC. The damage is staged in the database and repaired before the test ends.
/// </summary>
public abstract class SiteTimeZoneTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reports_SiteWithUnknownZone_AnswerAProblemInsteadOfUtc()
    {
        var site = await _admin.CreateSiteAsync(timeZone: "Europe/Berlin");
        var zone = await _admin.CreateZoneAsync(site, "Hall");
        await server.StoreSiteTimeZoneAsync(site, "Mars/Olympus_Mons");
        try
        {
            await (await _admin.GetAsync($"/api/v1/reports/access-summary?siteId={site}", Ct)).ExpectProblemAsync(HttpStatusCode.Conflict, "unknown_time_zone");
            await (await _admin.GetAsync($"/api/v1/reports/occupancy?zoneId={zone}", Ct)).ExpectProblemAsync(HttpStatusCode.Conflict, "unknown_time_zone");
        }
        finally
        {
            await server.StoreSiteTimeZoneAsync(site, "Europe/Berlin");
        }
        var summary = await _admin.GetJsonAsync($"/api/v1/reports/access-summary?siteId={site}");
        Assert.Equal("Europe/Berlin", summary.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task SaveSite_UnknownZone_IsRefusedOnSave()
    {
        await (await _admin.PostJsonAsync("/api/v1/sites", new { name = "Nowhere", timeZone = "Mars/Olympus_Mons" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public void ConsoleClock_UnknownZone_IsRefused_NoSiteChosenReadsUtc()
    {
        Assert.Throws<UnknownTimeZoneException>(() => SiteClock.Zone("Mars/Olympus_Mons"));
        Assert.Equal("UTC", SiteClock.Zone(null).Id);
        Assert.Equal("Europe/Berlin", SiteClock.Zone("Europe/Berlin").Id);
    }
}

public sealed class SiteTimeZoneSqliteTests(SqliteServerFixture fixture) : SiteTimeZoneTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class SiteTimeZonePostgresTests(PostgresServerFixture fixture) : SiteTimeZoneTests(fixture.Server), IClassFixture<PostgresServerFixture>;
