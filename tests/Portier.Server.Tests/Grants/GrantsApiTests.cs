using System.Net;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Scopes;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Grants;

public abstract class GrantsApiTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Guid Site, Guid Person, Door Door, AccessScope Scope)> ArrangeAsync()
    {
        var site = await _admin.CreateSiteAsync();
        var person = await _admin.CreatePersonAsync(site);
        var door = new Door { SiteId = site, Name = "Front" };
        var scope = new AccessScope { SiteId = site, Name = "Service entries", DoorIds = [door.Id] };
        await server.SeedAsync(door, scope);
        return (site, person, door, scope);
    }

    [Fact]
    public async Task CreateGrant_DoorsScopesHoursAndWindow_ReadsBackAndListsUnderPerson()
    {
        var (_, person, door, scope) = await ArrangeAsync();

        var created = await (await _admin.PostJsonAsync("/api/v1/grants", new
        {
            personId = person, doorIds = new[] { door.Id, door.Id }, scopeIds = new[] { scope.Id },
            hours = new[] { new { day = "saturday", start = "08:00", end = "12:00" } },
            validFrom = "2026-03-01T00:00:00Z", validUntil = "2026-04-01T00:00:00Z", note = "Cleaner",
        })).ExpectAsync(HttpStatusCode.Created);

        var read = await _admin.GetJsonAsync($"/api/v1/grants/{created.Id()}");
        Assert.Equal([door.Id], read.GetProperty("doorIds").EnumerateArray().Select(e => e.GetGuid()));
        Assert.Equal("saturday", read.GetProperty("hours")[0].GetProperty("day").GetString());
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), read.GetProperty("validUntil").GetDateTimeOffset());
        var forPerson = await _admin.GetJsonAsync($"/api/v1/people/{person}/grants");
        Assert.Equal(created.Id(), forPerson.Items().Single().Id());
        Assert.Equal(created.Id(), (await _admin.GetJsonAsync($"/api/v1/grants?doorId={door.Id}")).Items().Single().Id());
    }

    [Fact]
    public async Task UpdateAndDeleteGrant_ReplacesThenRemoves()
    {
        var (_, person, door, _) = await ArrangeAsync();
        var id = (await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true })).ExpectAsync(HttpStatusCode.Created)).Id();

        var updated = await (await _admin.PutJsonAsync($"/api/v1/grants/{id}", new { personId = person, doorIds = new[] { door.Id } })).ExpectAsync(HttpStatusCode.OK);
        Assert.False(updated.GetProperty("siteWide").GetBoolean());

        await (await _admin.DeleteAsync($"/api/v1/grants/{id}", Ct)).ExpectAsync(HttpStatusCode.NoContent);
        await (await _admin.GetAsync($"/api/v1/grants/{id}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("""{"note":"nothing granted"}""", "siteWide")]
    [InlineData("""{"siteWide":true,"validFrom":"2026-05-01T00:00:00Z","validUntil":"2026-04-01T00:00:00Z"}""", "validUntil")]
    [InlineData("""{"siteWide":true,"hours":[{"day":"monday","start":"18:00","end":"09:00"}]}""", "hours[0].end")]
    public async Task CreateGrant_InvalidField_Answers400NamingFieldAndWritesNothing(string fields, string field)
    {
        var (_, person, _, _) = await ArrangeAsync();
        var json = $$"""{"personId":"{{person}}",{{fields[1..]}}""";

        var problem = await (await _admin.PostRawAsync("/api/v1/grants", json)).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/grants?personId={person}"));
    }

    [Fact]
    public async Task CreateGrant_DoorOrScopeOfAnotherSite_Answers400AndWritesNothing()
    {
        var (_, person, _, _) = await ArrangeAsync();
        var (_, _, foreignDoor, foreignScope) = await ArrangeAsync();

        await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = person, doorIds = new[] { foreignDoor.Id } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_door");
        await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = person, scopeIds = new[] { foreignScope.Id } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_scope");
        await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = Guid.NewGuid(), siteWide = true }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_person");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/grants?personId={person}"));
    }

    [Fact]
    public async Task UpdateGrant_OtherPerson_Answers400()
    {
        var (site, person, _, _) = await ArrangeAsync();
        var other = await _admin.CreatePersonAsync(site, "Other");
        var id = (await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true })).ExpectAsync(HttpStatusCode.Created)).Id();

        await (await _admin.PutJsonAsync($"/api/v1/grants/{id}", new { personId = other, siteWide = true }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "person_change_not_allowed");
    }

    [Fact]
    public async Task SiteLimitedToken_OtherSitesGrant_Answers404()
    {
        var (mine, _, _, _) = await ArrangeAsync();
        var (_, stranger, _, _) = await ArrangeAsync();
        var grant = (await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = stranger, siteWide = true })).ExpectAsync(HttpStatusCode.Created)).Id();
        var limited = server.WithToken(await _admin.CreateTokenAsync(["grants:read", "grants:write"], [mine]));

        await (await limited.GetAsync($"/api/v1/grants/{grant}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.GetAsync($"/api/v1/people/{stranger}/grants", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.DeleteAsync($"/api/v1/grants/{grant}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PostJsonAsync("/api/v1/grants", new { personId = stranger, siteWide = true })).ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_person");
        Assert.Equal(0, await limited.TotalAsync($"/api/v1/grants?personId={stranger}"));
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/grants?personId={stranger}"));
    }

    [Fact]
    public async Task CreateGrant_TokenWithoutGrantsWrite_Answers403AndWritesNothing()
    {
        var (_, person, _, _) = await ArrangeAsync();
        var reader = server.WithToken(await _admin.CreateTokenAsync(["grants:read", "people:write"]));

        await (await reader.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/grants?personId={person}"));
    }
}

public sealed class GrantsApiSqliteTests(SqliteServerFixture fixture) : GrantsApiTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class GrantsApiPostgresTests(PostgresServerFixture fixture) : GrantsApiTests(fixture.Server), IClassFixture<PostgresServerFixture>;
