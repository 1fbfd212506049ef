using System.Net;
using System.Text.Json;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Doors;

public abstract class DoorsApiTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    [Fact]
    public async Task CreateDoor_NameOnly_UsesDefaults()
    {
        var site = await _admin.CreateSiteAsync();
        var read = await _admin.GetJsonAsync($"/api/v1/doors/{await _admin.CreateDoorAsync(site, "Front door")}");

        Assert.Equal(site, read.GetProperty("siteId").GetGuid());
        Assert.Equal("door", read.GetProperty("kind").GetString());
        Assert.Equal("in", read.GetProperty("direction").GetString());
        Assert.Equal(10, read.GetProperty("holdTimeSeconds").GetInt32());
        Assert.Equal(30, read.GetProperty("openTimeSeconds").GetInt32());
        Assert.Equal("normal", read.GetProperty("maintenanceMode").GetString());
        Assert.False(read.GetProperty("blockAllAccess").GetBoolean());
        Assert.False(read.GetProperty("isPointOfEntry").GetBoolean());
        Assert.True(read.GetProperty("rulesInherit").GetBoolean());
        Assert.True(read.GetProperty("geofenceInherits").GetBoolean());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("ruleOverride").ValueKind);
        Assert.Equal(JsonValueKind.Null, read.GetProperty("zoneId").ValueKind);
        Assert.Equal(0, read.GetProperty("autoUnlock").GetArrayLength());
    }

    [Fact]
    public async Task CreateDoor_AllSettings_ReadsBackWithOverrides()
    {
        var site = await _admin.CreateSiteAsync();
        var zone = await _admin.CreateZoneAsync(site, "Yard");
        var created = await (await _admin.PostJsonAsync("/api/v1/doors", new
        {
            siteId = site, name = "Loading gate", kind = "gate", locationLabel = "Back lot", direction = "both", zoneId = zone,
            holdTimeSeconds = 30, openTimeSeconds = 120, blockAllAccess = true, maintenanceMode = "force_open", isPointOfEntry = true,
            ruleOverride = new { allowedTags = new[] { "staff" } },
            geofenceOverride = new { enabled = true, latitude = 52.5, longitude = 13.4, radiusMeters = 0, requiredAccuracyMeters = 30 },
            autoUnlock = new[] { new { day = "monday", start = "08:00", end = "24:00" } },
        })).ExpectAsync(HttpStatusCode.Created);

        var read = await _admin.GetJsonAsync($"/api/v1/doors/{created.Id()}");
        Assert.Equal("gate", read.GetProperty("kind").GetString());
        Assert.Equal("both", read.GetProperty("direction").GetString());
        Assert.Equal("Back lot", read.GetProperty("locationLabel").GetString());
        Assert.Equal(zone, read.GetProperty("zoneId").GetGuid());
        Assert.Equal(30, read.GetProperty("holdTimeSeconds").GetInt32());
        Assert.Equal(120, read.GetProperty("openTimeSeconds").GetInt32());
        Assert.Equal("force_open", read.GetProperty("maintenanceMode").GetString());
        Assert.True(read.GetProperty("blockAllAccess").GetBoolean());
        Assert.True(read.GetProperty("isPointOfEntry").GetBoolean());
        Assert.False(read.GetProperty("rulesInherit").GetBoolean());
        Assert.Equal("staff", read.GetProperty("ruleOverride").GetProperty("allowedTags")[0].GetString());
        Assert.Equal(0, read.GetProperty("ruleOverride").GetProperty("hours").GetArrayLength());
        Assert.False(read.GetProperty("geofenceInherits").GetBoolean());
        Assert.Equal(25, read.GetProperty("geofenceOverride").GetProperty("accuracyBufferMeters").GetDouble());
        Assert.Equal("24:00", read.GetProperty("autoUnlock")[0].GetProperty("end").GetString());
    }

    [Fact]
    public async Task UpdateDoor_WithoutOverrides_InheritsAgainAndRecordsAudit()
    {
        var site = await _admin.CreateSiteAsync();
        var created = await (await _admin.PostJsonAsync("/api/v1/doors", new
        {
            siteId = site, name = "Side door", holdTimeSeconds = 5, ruleOverride = new { allowedTags = new[] { "staff" } },
        })).ExpectAsync(HttpStatusCode.Created);
        var id = created.Id();

        var updated = await (await _admin.PutJsonAsync($"/api/v1/doors/{id}", new { siteId = site, name = "Staff door", holdTimeSeconds = 12 }))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.True(updated.GetProperty("rulesInherit").GetBoolean());
        Assert.Equal(12, updated.GetProperty("holdTimeSeconds").GetInt32());
        var audit = await _admin.GetJsonAsync($"/api/v1/audit?entityType=Door&entityId={id}");
        var change = audit.GetProperty("items")[0];
        Assert.Equal("updated", change.GetProperty("action").GetString());
        Assert.Equal(site, change.GetProperty("siteId").GetGuid());
        var before = change.GetProperty("before").GetString()!;
        var after = change.GetProperty("after").GetString()!;
        Assert.Contains("Side door", before, StringComparison.Ordinal);
        Assert.Contains("\"HoldTimeSeconds\":5", before, StringComparison.Ordinal);
        Assert.Contains("Staff door", after, StringComparison.Ordinal);
        Assert.Contains("\"HoldTimeSeconds\":12", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListDoors_FiltersBySiteZoneKindAndQuery_SortsAndPages()
    {
        var site = await _admin.CreateSiteAsync();
        var zone = await _admin.CreateZoneAsync(site, "Hall");
        await _admin.CreateDoorAsync(site, "Cafe door", zone);
        await _admin.CreateDoorAsync(site, "Archive door", zone);
        await _admin.CreateDoorAsync(site, "Bike shed");
        await (await _admin.PostJsonAsync("/api/v1/doors", new { siteId = site, name = "Dock turnstile", kind = "turnstile", locationLabel = "Dock" }))
            .ExpectAsync(HttpStatusCode.Created);
        await _admin.CreateDoorAsync(await _admin.CreateSiteAsync(), "Elsewhere");

        var page = await _admin.GetJsonAsync($"/api/v1/doors?siteId={site}&sort=-name&pageSize=3");
        Assert.Equal(4, page.GetProperty("total").GetInt32());
        Assert.Equal(["Dock turnstile", "Cafe door", "Bike shed"], Names(page));
        Assert.Equal(["Archive door"], Names(await _admin.GetJsonAsync($"/api/v1/doors?siteId={site}&sort=-name&pageSize=3&page=2")));
        Assert.Equal(["Archive door", "Cafe door"], Names(await _admin.GetJsonAsync($"/api/v1/doors?zoneId={zone}&sort=name")));
        Assert.Equal(["Dock turnstile"], Names(await _admin.GetJsonAsync($"/api/v1/doors?siteId={site}&kind=turnstile")));
        Assert.Equal(["Bike shed"], Names(await _admin.GetJsonAsync($"/api/v1/doors?siteId={site}&q=shed")));
        Assert.Equal(["Dock turnstile"], Names(await _admin.GetJsonAsync($"/api/v1/doors?siteId={site}&q=Dock")));
        await (await _admin.GetAsync($"/api/v1/doors?kind=portal", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.BadRequest, "bad_request");
    }

    private static IEnumerable<string?> Names(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString());

    [Theory]
    [InlineData("""{"name":"D","holdTimeSeconds":0}""", "holdTimeSeconds")]
    [InlineData("""{"name":"D","holdTimeSeconds":31}""", "holdTimeSeconds")]
    [InlineData("""{"name":"D","openTimeSeconds":4}""", "openTimeSeconds")]
    [InlineData("""{"name":"D","openTimeSeconds":601}""", "openTimeSeconds")]
    [InlineData("""{"name":" "}""", "name")]
    [InlineData("""{"name":"D","geofenceOverride":{"enabled":true,"latitude":1,"longitude":1,"radiusMeters":-1,"requiredAccuracyMeters":10}}""", "geofenceOverride.radiusMeters")]
    [InlineData("""{"name":"D","ruleOverride":{"hours":[{"day":"friday","start":"18:00","end":"09:00"}]}}""", "ruleOverride.hours[0].end")]
    [InlineData("""{"name":"D","ruleOverride":{"allowedTags":[""]}}""", "ruleOverride.allowedTags")]
    [InlineData("""{"name":"D","autoUnlock":[{"day":"monday","start":"10:00","end":"09:00"}]}""", "autoUnlock[0].end")]
    [InlineData("""{"name":"D","autoUnlock":[{"day":"monday","start":"09:00","end":"10:00"},{"day":"monday","start":"09:00","end":"10:00"}]}""", "autoUnlock")]
    public async Task CreateDoor_InvalidField_Answers400NamingFieldAndWritesNothing(string json, string field)
    {
        var site = await _admin.CreateSiteAsync();

        var problem = await (await _admin.PostRawAsync("/api/v1/doors", json.WithSiteId(site))).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/doors?siteId={site}"));
    }

    [Theory]
    [InlineData("""{"name":"D","kind":"portal"}""", "kind")]
    [InlineData("""{"name":"D","maintenanceMode":"open"}""", "maintenanceMode")]
    [InlineData("""{"name":"D","holdTimeSeconds":"ten"}""", "holdTimeSeconds")]
    public async Task CreateDoor_WrongType_Answers400InvalidJsonAndWritesNothing(string json, string field)
    {
        var site = await _admin.CreateSiteAsync();

        var problem = await (await _admin.PostRawAsync("/api/v1/doors", json.WithSiteId(site))).ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_json");

        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/doors?siteId={site}"));
    }

    [Fact]
    public async Task CreateDoor_ZoneOfAnotherSiteOrUnknown_Answers400UnknownZoneAndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var foreignZone = await _admin.CreateZoneAsync(await _admin.CreateSiteAsync());

        foreach (var zoneId in new[] { foreignZone, Guid.NewGuid() })
        {
            var problem = await (await _admin.PostJsonAsync("/api/v1/doors", new { siteId = site, name = "D", zoneId }))
                .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_zone");
            Assert.Equal("zoneId", problem.GetProperty("field").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty("zoneId", out _));
        }
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/doors?siteId={site}"));
    }

    [Fact]
    public async Task UpdateDoor_InvalidInput_Answers400AndLeavesDoorUnchanged()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreateDoorAsync(site, "Front door");
        var foreignZone = await _admin.CreateZoneAsync(await _admin.CreateSiteAsync());

        await (await _admin.PutJsonAsync($"/api/v1/doors/{id}", new { siteId = site, name = "Changed", holdTimeSeconds = 31 }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await _admin.PutJsonAsync($"/api/v1/doors/{id}", new { siteId = site, name = "Changed", zoneId = foreignZone }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_zone");
        await (await _admin.PutJsonAsync($"/api/v1/doors/{id}", new { siteId = await _admin.CreateSiteAsync(), name = "Changed" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "site_immutable");

        var read = await _admin.GetJsonAsync($"/api/v1/doors/{id}");
        Assert.Equal("Front door", read.GetProperty("name").GetString());
        Assert.Equal(10, read.GetProperty("holdTimeSeconds").GetInt32());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("zoneId").ValueKind);
        Assert.Equal(1, (await _admin.GetJsonAsync($"/api/v1/audit?entityId={id}")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task SetMaintenance_ForceClosed_ChangesOnlyTheMode()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreateDoorAsync(site, "Server room");

        var door = await (await _admin.PutJsonAsync($"/api/v1/doors/{id}/maintenance", new { mode = "force_closed" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("force_closed", door.GetProperty("maintenanceMode").GetString());
        Assert.Equal("Server room", door.GetProperty("name").GetString());
        Assert.Equal("force_closed", (await _admin.GetJsonAsync($"/api/v1/doors/{id}")).GetProperty("maintenanceMode").GetString());
    }

    [Fact]
    public async Task SetMaintenance_MissingOrUnknownMode_Answers400AndKeepsMode()
    {
        var id = await _admin.CreateDoorAsync(await _admin.CreateSiteAsync());

        await (await _admin.PutRawAsync($"/api/v1/doors/{id}/maintenance", "{}")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await _admin.PutRawAsync($"/api/v1/doors/{id}/maintenance", """{"mode":"ajar"}""")).ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await _admin.PutJsonAsync($"/api/v1/doors/{Guid.NewGuid()}/maintenance", new { mode = "normal" })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.Equal("normal", (await _admin.GetJsonAsync($"/api/v1/doors/{id}")).GetProperty("maintenanceMode").GetString());
    }

    [Fact]
    public async Task DeleteDoor_ListedByScopeAndGrant_RemovesItFromBoth()
    {
        var site = await _admin.CreateSiteAsync();
        var doomed = await _admin.CreateDoorAsync(site, "Old door");
        var kept = await _admin.CreateDoorAsync(site, "New door");
        var scope = await _admin.CreateScopeAsync(site, "Entrances", doomed, kept);
        var grant = await server.AddGrantAsync(site, [doomed, kept], [scope]);

        await (await _admin.RemoveAsync($"/api/v1/doors/{doomed}")).ExpectAsync(HttpStatusCode.NoContent);

        await (await _admin.GetAsync($"/api/v1/doors/{doomed}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal([kept], (await _admin.GetJsonAsync($"/api/v1/scopes/{scope}")).GetProperty("doorIds").EnumerateArray().Select(d => d.GetGuid()));
        var after = await server.GetGrantAsync(grant);
        Assert.Equal([kept], after.DoorIds);
        Assert.Equal([scope], after.ScopeIds);
    }

    [Fact]
    public async Task SiteLimitedToken_OtherSitesDoor_Answers404AndCannotCreateThere()
    {
        var mine = await _admin.CreateSiteAsync("Mine");
        var other = await _admin.CreateSiteAsync("Other");
        var theirs = await _admin.CreateDoorAsync(other, "Their door");
        var theirZone = await _admin.CreateZoneAsync(other, "Their hall");
        var limited = server.WithToken(await _admin.CreateTokenAsync(["doors:read", "doors:write"], [mine]));

        await (await limited.GetAsync($"/api/v1/doors/{theirs}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PutJsonAsync($"/api/v1/doors/{theirs}", new { siteId = other, name = "Hijacked" })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PutJsonAsync($"/api/v1/doors/{theirs}/maintenance", new { mode = "force_open" })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.RemoveAsync($"/api/v1/doors/{theirs}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PostJsonAsync("/api/v1/doors", new { siteId = other, name = "Sneaky" })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PostJsonAsync("/api/v1/doors", new { siteId = mine, name = "Sneaky", zoneId = theirZone })).ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_zone");

        Assert.Equal(0, await limited.TotalAsync($"/api/v1/doors?siteId={other}"));
        Assert.Equal(0, await limited.TotalAsync($"/api/v1/doors?siteId={mine}"));
        var read = await _admin.GetJsonAsync($"/api/v1/doors/{theirs}");
        Assert.Equal("Their door", read.GetProperty("name").GetString());
        Assert.Equal("normal", read.GetProperty("maintenanceMode").GetString());
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/doors?siteId={other}"));
    }

    [Fact]
    public async Task DoorsApi_TokenWithoutPermission_Answers403AndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreateDoorAsync(site);
        var reader = server.WithToken(await _admin.CreateTokenAsync(["doors:read"]));
        var stranger = server.WithToken(await _admin.CreateTokenAsync(["zones:read"]));

        await (await reader.PostJsonAsync("/api/v1/doors", new { siteId = site, name = "D" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await reader.PutJsonAsync($"/api/v1/doors/{id}/maintenance", new { mode = "force_open" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await reader.RemoveAsync($"/api/v1/doors/{id}")).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await stranger.GetAsync($"/api/v1/doors/{id}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(1, await reader.TotalAsync($"/api/v1/doors?siteId={site}"));
        Assert.Equal("normal", (await reader.GetJsonAsync($"/api/v1/doors/{id}")).GetProperty("maintenanceMode").GetString());
    }
}

public sealed class DoorsApiSqliteTests(SqliteServerFixture fixture) : DoorsApiTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class DoorsApiPostgresTests(PostgresServerFixture fixture) : DoorsApiTests(fixture.Server), IClassFixture<PostgresServerFixture>;
