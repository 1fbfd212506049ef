using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Zones;

public abstract class ZonesApiTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    [Fact]
    public async Task CreateZone_WithCapacity_ReadsBackWithSlugCountAndAvailable()
    {
        var site = await _admin.CreateSiteAsync();
        var created = await (await _admin.PostJsonAsync("/api/v1/zones", new
        {
            siteId = site, name = "VIP Lounge (2nd floor)", capacity = 100, admittedPersonTypes = new[] { "VIP" }, admittedTags = new[] { "backstage" },
        })).ExpectAsync(HttpStatusCode.Created);

        var read = await _admin.GetJsonAsync($"/api/v1/zones/{created.Id()}");
        Assert.Equal("vip-lounge-2nd-floor", read.GetProperty("slug").GetString());
        Assert.Equal(100, read.GetProperty("capacity").GetInt32());
        Assert.Equal(0, read.GetProperty("currentCount").GetInt32());
        Assert.Equal(100, read.GetProperty("available").GetInt32());
        Assert.Equal("VIP", read.GetProperty("admittedPersonTypes")[0].GetString());
        Assert.Equal("backstage", read.GetProperty("admittedTags")[0].GetString());
    }

    [Fact]
    public async Task CreateZone_NoCapacity_IsUnlimitedWithNullAvailable()
    {
        var read = await _admin.GetJsonAsync($"/api/v1/zones/{await _admin.CreateZoneAsync(await _admin.CreateSiteAsync())}");

        Assert.Equal(System.Text.Json.JsonValueKind.Null, read.GetProperty("capacity").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, read.GetProperty("available").ValueKind);
        Assert.Equal(0, read.GetProperty("admittedTags").GetArrayLength());
    }

    [Fact]
    public async Task UpdateAndDeleteZone_KeepsSlugWhenOmittedThenRemoves()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreateZoneAsync(site, "Main hall");

        var updated = await (await _admin.PutJsonAsync($"/api/v1/zones/{id}", new { siteId = site, name = "Great hall", capacity = 0 }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("main-hall", updated.GetProperty("slug").GetString());
        Assert.Equal("Great hall", updated.GetProperty("name").GetString());
        Assert.Equal(0, updated.GetProperty("available").GetInt32());
        var renamed = await (await _admin.PutJsonAsync($"/api/v1/zones/{id}", new { siteId = site, name = "Great hall", slug = "great-hall" }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("great-hall", renamed.GetProperty("slug").GetString());

        await (await _admin.RemoveAsync($"/api/v1/zones/{id}")).ExpectAsync(HttpStatusCode.NoContent);
        await (await _admin.GetAsync($"/api/v1/zones/{id}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task ListZones_FiltersBySiteAndQuery_SortsAndPages()
    {
        var site = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync();
        foreach (var n in new[] { "Cellar", "Attic", "Balcony" }) await _admin.CreateZoneAsync(site, n);
        await _admin.CreateZoneAsync(other, "Annex");

        var first = await _admin.GetJsonAsync($"/api/v1/zones?siteId={site}&sort=-name&pageSize=2");
        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(["Cellar", "Balcony"], first.GetProperty("items").EnumerateArray().Select(z => z.GetProperty("name").GetString()));
        var second = await _admin.GetJsonAsync($"/api/v1/zones?siteId={site}&sort=-name&pageSize=2&page=2");
        Assert.Equal("Attic", second.GetProperty("items")[0].GetProperty("name").GetString());
        var found = await _admin.GetJsonAsync($"/api/v1/zones?siteId={site}&q=alc");
        Assert.Equal("Balcony", Assert.Single(found.GetProperty("items").EnumerateArray()).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("""{"name":"Hall","capacity":-1}""", "capacity")]
    [InlineData("""{"name":"","capacity":5}""", "name")]
    [InlineData("""{"name":"Hall","slug":"Main Hall"}""", "slug")]
    [InlineData("""{"name":"Hall","slug":"-hall"}""", "slug")]
    [InlineData("""{"name":"!!!"}""", "slug")]
    [InlineData("""{"name":"Hall","admittedTags":["vip","vip"]}""", "admittedTags")]
    [InlineData("""{"name":"Hall","admittedPersonTypes":[" "]}""", "admittedPersonTypes")]
    public async Task CreateZone_InvalidField_Answers400NamingFieldAndWritesNothing(string json, string field)
    {
        var site = await _admin.CreateSiteAsync();
        var problem = await (await _admin.PostRawAsync("/api/v1/zones", json.WithSiteId(site))).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/zones?siteId={site}"));
    }

    [Fact]
    public async Task CreateZone_MissingSite_Answers400NamingSiteId() =>
        Assert.True((await (await _admin.PostJsonAsync("/api/v1/zones", new { name = "Hall" })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed"))
            .GetProperty("errors").TryGetProperty("siteId", out _));

    [Fact]
    public async Task CreateZone_SlugTakenInSite_Answers409AndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync();
        await _admin.CreateZoneAsync(site, "Main hall");

        var problem = await (await _admin.PostJsonAsync("/api/v1/zones", new { siteId = site, name = "Another", slug = "main-hall" }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "slug_taken");

        Assert.Equal("slug", problem.GetProperty("field").GetString());
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/zones?siteId={site}"));
        await _admin.CreateZoneAsync(other, "Main hall");
    }

    [Fact]
    public async Task UpdateZone_SlugOfSibling_Answers409AndLeavesZoneUnchanged()
    {
        var site = await _admin.CreateSiteAsync();
        await _admin.CreateZoneAsync(site, "Lobby");
        var id = await _admin.CreateZoneAsync(site, "Gym");

        await (await _admin.PutJsonAsync($"/api/v1/zones/{id}", new { siteId = site, name = "Renamed", slug = "lobby" }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "slug_taken");

        var read = await _admin.GetJsonAsync($"/api/v1/zones/{id}");
        Assert.Equal("Gym", read.GetProperty("name").GetString());
        Assert.Equal("gym", read.GetProperty("slug").GetString());
    }

    [Fact]
    public async Task UpdateZone_OtherSite_Answers400SiteImmutable()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreateZoneAsync(site, "Gym");

        await (await _admin.PutJsonAsync($"/api/v1/zones/{id}", new { siteId = await _admin.CreateSiteAsync(), name = "Gym" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "site_immutable");

        Assert.Equal(site, (await _admin.GetJsonAsync($"/api/v1/zones/{id}")).GetProperty("siteId").GetGuid());
    }

    [Fact]
    public async Task DeleteZone_DoorsLeadIntoIt_Answers409ZoneInUseAndKeepsZone()
    {
        var site = await _admin.CreateSiteAsync();
        var zone = await _admin.CreateZoneAsync(site);
        await _admin.CreateDoorAsync(site, "Hall door", zone);

        await (await _admin.RemoveAsync($"/api/v1/zones/{zone}")).ExpectProblemAsync(HttpStatusCode.Conflict, "zone_in_use");

        await _admin.GetJsonAsync($"/api/v1/zones/{zone}");
    }

    [Fact]
    public async Task SiteLimitedToken_OtherSitesZone_Answers404AndCannotCreateThere()
    {
        var mine = await _admin.CreateSiteAsync("Mine");
        var other = await _admin.CreateSiteAsync("Other");
        var theirs = await _admin.CreateZoneAsync(other, "Theirs");
        var limited = server.WithToken(await _admin.CreateTokenAsync(["zones:read", "zones:write"], [mine]));

        await (await limited.GetAsync($"/api/v1/zones/{theirs}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PutJsonAsync($"/api/v1/zones/{theirs}", new { siteId = other, name = "Hijacked" })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.RemoveAsync($"/api/v1/zones/{theirs}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PostJsonAsync("/api/v1/zones", new { siteId = other, name = "Sneaky" })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, await limited.TotalAsync($"/api/v1/zones?siteId={other}"));
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/zones?siteId={other}"));
        Assert.Equal("Theirs", (await _admin.GetJsonAsync($"/api/v1/zones/{theirs}")).GetProperty("name").GetString());
        await limited.CreateZoneAsync(mine, "Ours");
    }

    [Fact]
    public async Task ZonesApi_TokenWithoutPermission_Answers403()
    {
        var site = await _admin.CreateSiteAsync();
        var reader = server.WithToken(await _admin.CreateTokenAsync(["zones:read"]));
        var stranger = server.WithToken(await _admin.CreateTokenAsync(["doors:read"]));

        await (await reader.PostJsonAsync("/api/v1/zones", new { siteId = site, name = "Hall" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await stranger.GetAsync("/api/v1/zones", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0, await reader.TotalAsync($"/api/v1/zones?siteId={site}"));
    }
}

public sealed class ZonesApiSqliteTests(SqliteServerFixture fixture) : ZonesApiTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class ZonesApiPostgresTests(PostgresServerFixture fixture) : ZonesApiTests(fixture.Server), IClassFixture<PostgresServerFixture>;
