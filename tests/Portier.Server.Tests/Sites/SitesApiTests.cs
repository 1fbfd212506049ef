using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Sites;

public abstract class SitesApiTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    private static object FullSite(string name) => new
    {
        name,
        timeZone = "America/New_York",
        geofence = new { enabled = true, latitude = 40.7, longitude = -74.0, radiusMeters = 150, requiredAccuracyMeters = 50 },
        rules = new
        {
            personTypeRules = new[] { new { personType = "Member", statuses = new[] { "Active", "Current" } } },
            allowedTags = new[] { "staff" },
            hours = new[]
            {
                new { day = "monday", start = "06:00", end = "10:00" },
                new { day = "monday", start = "16:00", end = "22:00" },
            },
        },
    };

    [Fact]
    public async Task CreateSite_WithRulesAndGeofence_ReadsBackWithDefaults()
    {
        var created = await (await _admin.PostJsonAsync("/api/v1/sites", FullSite("Brooklyn"))).ExpectAsync(HttpStatusCode.Created);
        var read = await _admin.GetJsonAsync($"/api/v1/sites/{created.Id()}");

        Assert.Equal("Brooklyn", read.GetProperty("name").GetString());
        Assert.Equal(25, read.GetProperty("geofence").GetProperty("accuracyBufferMeters").GetDouble());
        Assert.Equal(2, read.GetProperty("rules").GetProperty("hours").GetArrayLength());
        Assert.Equal("Current", read.GetProperty("rules").GetProperty("personTypeRules")[0].GetProperty("statuses")[1].GetString());
        Assert.Equal(4, read.GetProperty("minPinLength").GetInt32());
    }

    [Fact]
    public async Task UpdateAndDeleteSite_ChangesThenRemoves_AndRecordsAudit()
    {
        var id = await _admin.CreateSiteAsync("Old name");
        await (await _admin.PutJsonAsync($"/api/v1/sites/{id}", new { name = "New name", timeZone = "Europe/Paris" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Europe/Paris", (await _admin.GetJsonAsync($"/api/v1/sites/{id}")).GetProperty("timeZone").GetString());

        await (await _admin.DeleteAsync($"/api/v1/sites/{id}", TestContext.Current.CancellationToken)).ExpectAsync(HttpStatusCode.NoContent);
        await (await _admin.GetAsync($"/api/v1/sites/{id}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        var audit = await _admin.GetJsonAsync($"/api/v1/audit?entityId={id}");
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["deleted", "updated", "created"], actions);
        var update = audit.GetProperty("items")[1];
        Assert.Contains("Old name", update.GetProperty("before").GetString(), StringComparison.Ordinal);
        Assert.Contains("New name", update.GetProperty("after").GetString(), StringComparison.Ordinal);
        Assert.Equal("admin@portier.local", update.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task ListSites_FiltersSortsAndPages()
    {
        var prefix = Guid.NewGuid().ToString("N")[..6];
        foreach (var n in new[] { "c", "a", "b" }) await _admin.CreateSiteAsync($"{prefix}-{n}");

        var page = await _admin.GetJsonAsync($"/api/v1/sites?q={prefix}&sort=-name&pageSize=2&page=1");
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal([$"{prefix}-c", $"{prefix}-b"], page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        var second = await _admin.GetJsonAsync($"/api/v1/sites?q={prefix}&sort=-name&pageSize=2&page=2");
        Assert.Equal($"{prefix}-a", second.GetProperty("items")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("""{"name":"X","timeZone":"Mars/Olympus"}""", "timeZone")]
    [InlineData("""{"name":"","timeZone":"Europe/Berlin"}""", "name")]
    [InlineData("""{"name":"X","timeZone":"Europe/Berlin","geofence":{"enabled":true,"latitude":1,"longitude":1,"radiusMeters":-1,"requiredAccuracyMeters":10}}""", "geofence.radiusMeters")]
    [InlineData("""{"name":"X","timeZone":"Europe/Berlin","rules":{"hours":[{"day":"monday","start":"10:00","end":"09:00"}]}}""", "rules.hours[0].end")]
    [InlineData("""{"name":"X","timeZone":"Europe/Berlin","rules":{"hours":[{"day":"monday","start":"25:00","end":"26:00"}]}}""", "rules.hours[0].start")]
    [InlineData("""{"name":"X","timeZone":"Europe/Berlin","minPinLength":2}""", "minPinLength")]
    public async Task CreateSite_InvalidField_Answers400NamingFieldAndWritesNothing(string json, string field)
    {
        var before = (await _admin.GetJsonAsync("/api/v1/sites?pageSize=1")).GetProperty("total").GetInt32();

        var problem = await (await _admin.PostRawAsync("/api/v1/sites", json)).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.Equal(before, (await _admin.GetJsonAsync("/api/v1/sites?pageSize=1")).GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("""{"name":"X","timeZone":""", null)]
    [InlineData("""{"name":42,"timeZone":"Europe/Berlin"}""", "name")]
    [InlineData("""{"name":"X","timeZone":"Europe/Berlin","rules":{"hours":[{"day":"someday","start":"09:00","end":"10:00"}]}}""", "rules.hours[0].day")]
    [InlineData("""{"name":"X","timeZone":"Europe/Berlin","colour":"red"}""", null)]
    public async Task CreateSite_MalformedJson_Answers400InvalidJson(string json, string? field)
    {
        var problem = await (await _admin.PostRawAsync("/api/v1/sites", json)).ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_json");
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task GetSite_UnknownId_Answers404Problem() =>
        await (await _admin.GetAsync($"/api/v1/sites/{Guid.NewGuid()}", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

    [Fact]
    public async Task SiteLimitedToken_SeesOwnSiteOnly_AndGets404ForOthers()
    {
        var mine = await _admin.CreateSiteAsync("Mine");
        var other = await _admin.CreateSiteAsync("Other");
        var limited = server.WithToken(await _admin.CreateTokenAsync(["sites:read", "sites:write"], [mine]));

        await limited.GetJsonAsync($"/api/v1/sites/{mine}");
        await (await limited.GetAsync($"/api/v1/sites/{other}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PutJsonAsync($"/api/v1/sites/{other}", new { name = "Hijacked", timeZone = "UTC" })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        var list = await limited.GetJsonAsync("/api/v1/sites?pageSize=200");
        Assert.All(list.GetProperty("items").EnumerateArray(), s => Assert.Equal(mine, s.Id()));
        Assert.Equal("Other", (await _admin.GetJsonAsync($"/api/v1/sites/{other}")).GetProperty("name").GetString());
    }
}

public sealed class SitesApiSqliteTests(SqliteServerFixture fixture) : SitesApiTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class SitesApiPostgresTests(PostgresServerFixture fixture) : SitesApiTests(fixture.Server), IClassFixture<PostgresServerFixture>;
