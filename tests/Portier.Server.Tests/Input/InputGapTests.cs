using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Portier.Server.Features.People;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Input;

/// <summary>Values the binder would take but the API refuses with a 400 <c>validation_failed</c> naming the field, writing nothing.</summary>
public abstract class InputGapTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> ExpectFieldErrorAsync(HttpResponseMessage response, string field)
    {
        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        return problem;
    }

    private static object Block(string day, string start, string end) => new { day, start, end };

    [Fact]
    public async Task WeeklyHours_OverlappingOrRepeatedBlocks_AreRefusedWhereverHoursAreTaken()
    {
        var site = await _admin.CreateSiteAsync();
        var person = await _admin.CreatePersonAsync(site);
        var door = await _admin.CreateDoorAsync(site);
        object[] overlapping = [Block("monday", "08:00", "12:00"), Block("monday", "11:00", "14:00")];
        object[] repeated = [Block("tuesday", "08:00", "24:00"), Block("tuesday", "08:00", "24:00")];

        await ExpectFieldErrorAsync(await _admin.PostJsonAsync("/api/v1/sites", new
        {
            name = "Overlap", timeZone = "UTC", rules = new { personTypeRules = Array.Empty<object>(), allowedTags = Array.Empty<string>(), hours = overlapping },
        }), "rules.hours[1]");
        await ExpectFieldErrorAsync(await _admin.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true, hours = repeated }), "hours[1]");
        await ExpectFieldErrorAsync(await _admin.PutJsonAsync($"/api/v1/doors/{door}", new { siteId = site, name = "Front door", autoUnlock = overlapping }), "autoUnlock[1]");

        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/grants?personId={person}"));
        Assert.Equal(0, (await _admin.GetJsonAsync($"/api/v1/doors/{door}")).GetProperty("autoUnlock").GetArrayLength());
        // Blocks that only touch, or lie on different days, are fine.
        object[] touching = [Block("monday", "08:00", "12:00"), Block("monday", "12:00", "14:00"), Block("tuesday", "08:00", "12:00")];
        await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true, hours = touching })).ExpectAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    public async Task Explain_LocationAccuracyNotPositive_IsRefused(double accuracy)
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var person = await _admin.CreatePersonAsync(site);

        await ExpectFieldErrorAsync(await _admin.PostJsonAsync("/api/v1/decisions/explain", new
        {
            doorId = door, personId = person, appUnlock = true, location = new { latitude = 52.5, longitude = 13.4, accuracyMeters = accuracy },
        }), "location.accuracyMeters");
    }

    [Fact]
    public async Task Import_InvalidUtf8_IsRefusedWithRowAndByteOffset_AndStoresNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var head = Encoding.UTF8.GetBytes("name,email\nAnna,anna@example.org\nJ");
        byte[] latin1 = [.. head, 0xFC, .. Encoding.UTF8.GetBytes("rgen,j@example.org\n")];
        using var body = new ByteArrayContent(latin1);
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var problem = await ExpectFieldErrorAsync(await _admin.PostAsync($"/api/v1/people/import?siteId={site}&dryRun=false", body, Ct), "file");

        Assert.Equal(3, problem.GetProperty("row").GetInt32());
        Assert.Equal(head.Length, problem.GetProperty("byteOffset").GetInt32());
        Assert.Equal(0, await server.CountAsync<Person>(p => p.SiteId == site));
    }

    [Fact]
    public async Task Import_TheNullCharacter_IsRefusedWithRowAndByteOffset_AndStoresNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var head = Encoding.UTF8.GetBytes("name,externalId\nAnna,M-1\nJo,");
        using var body = new ByteArrayContent([.. head, 0, .. Encoding.UTF8.GetBytes("M-2\n")]);
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var problem = await ExpectFieldErrorAsync(await _admin.PostAsync($"/api/v1/people/import?siteId={site}&dryRun=false", body, Ct), "file");

        Assert.Equal(3, problem.GetProperty("row").GetInt32());
        Assert.Equal(head.Length, problem.GetProperty("byteOffset").GetInt32());
        Assert.Equal(0, await server.CountAsync<Person>(p => p.SiteId == site));
    }

    [Fact]
    public async Task Times_WithoutAnOffset_AreRefusedInBodiesAndQueries()
    {
        var site = await _admin.CreateSiteAsync();
        var person = await _admin.CreatePersonAsync(site);

        await ExpectFieldErrorAsync(await _admin.PostJsonAsync("/api/v1/grants",
            new { personId = person, siteWide = true, validFrom = "2026-12-06T10:00:00", validUntil = "2026-12-07T10:00:00Z" }), "validFrom");
        await ExpectFieldErrorAsync(await _admin.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true, validUntil = "2026-12-07" }), "validUntil");
        await ExpectFieldErrorAsync(await _admin.GetAsync($"/api/v1/access-events?siteId={site}&from=2026-12-06T10:00:00", Ct), "from");
        await ExpectFieldErrorAsync(await _admin.GetAsync($"/api/v1/decisions/doors-for?personId={person}&at=2026-12-06T10:00:00", Ct), "at");

        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/grants?personId={person}"));
        await (await _admin.PostJsonAsync("/api/v1/grants",
            new { personId = person, siteWide = true, validFrom = "2026-12-06T10:00:00+01:00", validUntil = "2026-12-07T10:00:00Z" })).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Text_WithTheNullCharacter_IsRefusedOnItsField_AndNothingIsStored()
    {
        var site = await _admin.CreateSiteAsync();

        await ExpectFieldErrorAsync(await _admin.PostRawAsync("/api/v1/people", $$"""{"siteId":"{{site}}","name":"Ada\u0000Lovelace","personType":"Member","membershipStatus":"Active"}"""), "name");
        await ExpectFieldErrorAsync(await _admin.PostRawAsync("/api/v1/people/sync", $$"""{"siteId":"{{site}}","people":[{"externalId":"\u0000","name":"Ada"}]}"""), "people[0].externalId");

        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("page=-1", "page")]
    [InlineData("page=1000000000", "page")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=201", "pageSize")]
    public async Task Paging_OutsideTheDocumentedRange_IsRefused(string query, string field) =>
        await ExpectFieldErrorAsync(await _admin.GetAsync($"/api/v1/sites?{query}", Ct), field);

    [Fact]
    public async Task Paging_LastAllowedPage_AnswersAnEmptyPage()
    {
        var page = await _admin.GetJsonAsync("/api/v1/people?page=1000000&pageSize=200");

        Assert.Equal(0, page.GetProperty("items").GetArrayLength());
        Assert.Equal(1_000_000, page.GetProperty("page").GetInt32());
    }
}

public sealed class InputGapSqliteTests(SqliteServerFixture fixture) : InputGapTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class InputGapPostgresTests(PostgresServerFixture fixture) : InputGapTests(fixture.Server), IClassFixture<PostgresServerFixture>;
