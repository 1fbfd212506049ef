using System.Net;
using System.Text.Json;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Scopes;

public abstract class ScopesApiTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    private static List<Guid> DoorIds(JsonElement scope) => scope.GetProperty("doorIds").EnumerateArray().Select(d => d.GetGuid()).ToList();

    [Fact]
    public async Task CreateScope_WithDoors_ReadsBackInheriting()
    {
        var site = await _admin.CreateSiteAsync();
        var front = await _admin.CreateDoorAsync(site, "Front");
        var back = await _admin.CreateDoorAsync(site, "Back");

        var read = await _admin.GetJsonAsync($"/api/v1/scopes/{await _admin.CreateScopeAsync(site, "Main entrances", front, back)}");

        Assert.Equal("Main entrances", read.GetProperty("name").GetString());
        Assert.Equal([front, back], DoorIds(read));
        Assert.True(read.GetProperty("rulesInherit").GetBoolean());
        Assert.True(read.GetProperty("geofenceInherits").GetBoolean());
    }

    [Fact]
    public async Task UpdateScope_WithOverrides_ReplacesDoorsAndStopsInheriting()
    {
        var site = await _admin.CreateSiteAsync();
        var front = await _admin.CreateDoorAsync(site, "Front");
        var back = await _admin.CreateDoorAsync(site, "Back");
        var id = await _admin.CreateScopeAsync(site, "Staff only", front);

        var updated = await (await _admin.PutJsonAsync($"/api/v1/scopes/{id}", new
        {
            siteId = site, name = "Staff entrances", doorIds = new[] { back },
            ruleOverride = new
            {
                personTypeRules = new[] { new { personType = "Staff", statuses = Array.Empty<string>() } },
                hours = new[] { new { day = "saturday", start = "00:00", end = "24:00" } },
            },
            geofenceOverride = new { enabled = false, latitude = 0, longitude = 0, radiusMeters = 100, requiredAccuracyMeters = 50, accuracyBufferMeters = 10 },
        })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal([back], DoorIds(updated));
        Assert.False(updated.GetProperty("rulesInherit").GetBoolean());
        Assert.Equal("Staff", updated.GetProperty("ruleOverride").GetProperty("personTypeRules")[0].GetProperty("personType").GetString());
        Assert.False(updated.GetProperty("geofenceInherits").GetBoolean());
        Assert.Equal(10, (await _admin.GetJsonAsync($"/api/v1/scopes/{id}")).GetProperty("geofenceOverride").GetProperty("accuracyBufferMeters").GetDouble());
    }

    [Fact]
    public async Task ListScopes_FiltersBySiteDoorAndQuery_SortsAndPages()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        await _admin.CreateScopeAsync(site, "Bravo", door);
        await _admin.CreateScopeAsync(site, "Alpha");
        await _admin.CreateScopeAsync(site, "Charlie", door);
        await _admin.CreateScopeAsync(await _admin.CreateSiteAsync(), "Alpha");

        var page = await _admin.GetJsonAsync($"/api/v1/scopes?siteId={site}&sort=name&pageSize=2");
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(["Alpha", "Bravo"], page.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var byDoor = await _admin.GetJsonAsync($"/api/v1/scopes?doorId={door}&sort=-name");
        Assert.Equal(["Charlie", "Bravo"], byDoor.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/scopes?siteId={site}&q=harl"));
    }

    [Fact]
    public async Task CreateScope_NameTakenInSite_Answers409AndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        await _admin.CreateScopeAsync(site, "Entrances");

        await (await _admin.PostJsonAsync("/api/v1/scopes", new { siteId = site, name = "Entrances" })).ExpectProblemAsync(HttpStatusCode.Conflict, "name_taken");

        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/scopes?siteId={site}"));
        await _admin.CreateScopeAsync(await _admin.CreateSiteAsync(), "Entrances");
    }

    [Fact]
    public async Task CreateScope_DoorOfAnotherSiteOrUnknown_Answers400UnknownDoorAndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var own = await _admin.CreateDoorAsync(site);
        var foreign = await _admin.CreateDoorAsync(await _admin.CreateSiteAsync());

        foreach (var stranger in new[] { foreign, Guid.NewGuid() })
        {
            var problem = await (await _admin.PostJsonAsync("/api/v1/scopes", new { siteId = site, name = "Mixed", doorIds = new[] { own, stranger } }))
                .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_door");
            Assert.Equal("doorIds", problem.GetProperty("field").GetString());
            Assert.Contains(stranger.ToString(), problem.GetProperty("errors").GetProperty("doorIds")[0].GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/scopes?siteId={site}"));
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"S","doorIds":["0196a2c4-0000-7000-8000-000000000001","0196a2c4-0000-7000-8000-000000000001"]}""", "doorIds")]
    [InlineData("""{"name":"S","geofenceOverride":{"enabled":true,"latitude":95,"longitude":1,"radiusMeters":10,"requiredAccuracyMeters":10}}""", "geofenceOverride.latitude")]
    [InlineData("""{"name":"S","ruleOverride":{"hours":[{"day":"monday","start":"09:00","end":"09:00"}]}}""", "ruleOverride.hours[0].end")]
    public async Task CreateScope_InvalidField_Answers400NamingFieldAndWritesNothing(string json, string field)
    {
        var site = await _admin.CreateSiteAsync();

        var problem = await (await _admin.PostRawAsync("/api/v1/scopes", json.WithSiteId(site))).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/scopes?siteId={site}"));
    }

    [Fact]
    public async Task UpdateScope_UnknownDoorOrTakenName_LeavesScopeUnchanged()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        await _admin.CreateScopeAsync(site, "Taken");
        var id = await _admin.CreateScopeAsync(site, "Mine", door);

        await (await _admin.PutJsonAsync($"/api/v1/scopes/{id}", new { siteId = site, name = "Mine", doorIds = new[] { Guid.NewGuid() } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_door");
        await (await _admin.PutJsonAsync($"/api/v1/scopes/{id}", new { siteId = site, name = "Taken", doorIds = Array.Empty<Guid>() }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "name_taken");

        var read = await _admin.GetJsonAsync($"/api/v1/scopes/{id}");
        Assert.Equal("Mine", read.GetProperty("name").GetString());
        Assert.Equal([door], DoorIds(read));
    }

    [Fact]
    public async Task AddAndRemoveDoor_Twice_ChangesMembershipOnce()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var id = await _admin.CreateScopeAsync(site, "Group");

        await (await _admin.PutEmptyAsync($"/api/v1/scopes/{id}/doors/{door}")).ExpectAsync(HttpStatusCode.OK);
        var added = await (await _admin.PutEmptyAsync($"/api/v1/scopes/{id}/doors/{door}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([door], DoorIds(added));

        await (await _admin.RemoveAsync($"/api/v1/scopes/{id}/doors/{door}")).ExpectAsync(HttpStatusCode.OK);
        var removed = await (await _admin.RemoveAsync($"/api/v1/scopes/{id}/doors/{door}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(DoorIds(removed));
        Assert.Empty(DoorIds(await _admin.GetJsonAsync($"/api/v1/scopes/{id}")));
    }

    [Fact]
    public async Task AddDoor_DoorOfAnotherSite_Answers404AndLeavesScopeUnchanged()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreateScopeAsync(site, "Group");
        var foreign = await _admin.CreateDoorAsync(await _admin.CreateSiteAsync());

        await (await _admin.PutEmptyAsync($"/api/v1/scopes/{id}/doors/{foreign}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await _admin.PutEmptyAsync($"/api/v1/scopes/{Guid.NewGuid()}/doors/{foreign}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.Empty(DoorIds(await _admin.GetJsonAsync($"/api/v1/scopes/{id}")));
    }

    [Fact]
    public async Task DeleteScope_ListedByGrant_RemovesItFromGrant()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var doomed = await _admin.CreateScopeAsync(site, "Old", door);
        var kept = await _admin.CreateScopeAsync(site, "New", door);
        var grant = await server.AddGrantAsync(site, [door], [doomed, kept]);

        await (await _admin.RemoveAsync($"/api/v1/scopes/{doomed}")).ExpectAsync(HttpStatusCode.NoContent);

        await (await _admin.GetAsync($"/api/v1/scopes/{doomed}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        var after = await server.GetGrantAsync(grant);
        Assert.Equal([kept], after.ScopeIds);
        Assert.Equal([door], after.DoorIds);
    }

    [Fact]
    public async Task SiteLimitedToken_OtherSitesScopeAndDoors_Answer404OrUnknownDoor()
    {
        var mine = await _admin.CreateSiteAsync("Mine");
        var other = await _admin.CreateSiteAsync("Other");
        var theirDoor = await _admin.CreateDoorAsync(other, "Their door");
        var theirs = await _admin.CreateScopeAsync(other, "Theirs", theirDoor);
        var limited = server.WithToken(await _admin.CreateTokenAsync(["scopes:read", "scopes:write"], [mine]));
        var ours = await limited.CreateScopeAsync(mine, "Ours");

        await (await limited.GetAsync($"/api/v1/scopes/{theirs}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.RemoveAsync($"/api/v1/scopes/{theirs}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.RemoveAsync($"/api/v1/scopes/{theirs}/doors/{theirDoor}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PostJsonAsync("/api/v1/scopes", new { siteId = other, name = "Sneaky" })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PutEmptyAsync($"/api/v1/scopes/{ours}/doors/{theirDoor}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PutJsonAsync($"/api/v1/scopes/{ours}", new { siteId = mine, name = "Ours", doorIds = new[] { theirDoor } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_door");

        Assert.Empty(DoorIds(await limited.GetJsonAsync($"/api/v1/scopes/{ours}")));
        Assert.Equal([theirDoor], DoorIds(await _admin.GetJsonAsync($"/api/v1/scopes/{theirs}")));
        Assert.Equal(0, await limited.TotalAsync($"/api/v1/scopes?siteId={other}"));
    }

    [Fact]
    public async Task ScopesApi_TokenWithoutPermission_Answers403AndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var id = await _admin.CreateScopeAsync(site, "Group");
        var reader = server.WithToken(await _admin.CreateTokenAsync(["scopes:read"]));
        var stranger = server.WithToken(await _admin.CreateTokenAsync(["doors:write"]));

        await (await reader.PostJsonAsync("/api/v1/scopes", new { siteId = site, name = "Other" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await reader.PutEmptyAsync($"/api/v1/scopes/{id}/doors/{door}")).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await stranger.GetAsync("/api/v1/scopes", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(1, await reader.TotalAsync($"/api/v1/scopes?siteId={site}"));
        Assert.Empty(DoorIds(await reader.GetJsonAsync($"/api/v1/scopes/{id}")));
    }
}

public sealed class ScopesApiSqliteTests(SqliteServerFixture fixture) : ScopesApiTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class ScopesApiPostgresTests(PostgresServerFixture fixture) : ScopesApiTests(fixture.Server), IClassFixture<PostgresServerFixture>;
