using System.Net;
using System.Text.Json;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.People;

public abstract class PeopleApiTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_ByIds_ReturnsOnlyThosePeople()
    {
        var site = await _admin.CreateSiteAsync();
        var ada = await _admin.CreatePersonAsync(site, "Ada");
        var grace = await _admin.CreatePersonAsync(site, "Grace");
        await _admin.CreatePersonAsync(site, "Linus");

        var page = await _admin.GetJsonAsync($"/api/v1/people?id={ada}&id={grace}");

        Assert.Equal(["Ada", "Grace"], page.Items().Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task CreatePerson_AllFields_ReadsBackTrimmedWithDefaults()
    {
        var site = await _admin.CreateSiteAsync();
        var created = await (await _admin.PostJsonAsync("/api/v1/people", new
        {
            siteId = site, name = "  Grace Hopper ", email = "grace@example.org", phone = "+1 555 0100", externalId = "M-1",
            personType = "Staff", membershipStatus = "Active", customTags = new[] { "night", " night ", "keyholder" },
        })).ExpectAsync(HttpStatusCode.Created);

        var read = await _admin.GetJsonAsync($"/api/v1/people/{created.Id()}");
        Assert.Equal("Grace Hopper", read.GetProperty("name").GetString());
        Assert.Equal("Staff", read.GetProperty("personType").GetString());
        Assert.Equal(["night", "keyholder"], read.GetProperty("customTags").Strings());
        Assert.Empty(read.GetProperty("syncedTags").Strings());
        Assert.True(read.GetProperty("accessEnabled").GetBoolean());
        Assert.False(read.GetProperty("blocklisted").GetBoolean());
        Assert.Equal("manual", read.GetProperty("source").GetString());
        Assert.True(read.GetProperty("trackSource").GetBoolean());
    }

    [Fact]
    public async Task Vocabulary_ListsTheSitesTypesAndStatusesSorted_AndAnUnknownSiteIsNotFound()
    {
        var site = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync();
        foreach (var (siteId, type, status) in new[] { (site, "Staff", "Active"), (site, "Member", "Current"), (site, "Member", (string?)null), (other, "Guest", "Pending") })
            await (await _admin.PostJsonAsync("/api/v1/people", new { siteId, name = "P", personType = type, membershipStatus = status })).ExpectAsync(HttpStatusCode.Created);

        var vocabulary = await _admin.GetJsonAsync($"/api/v1/people/vocabulary?siteId={site}");

        Assert.Equal(["Member", "Staff"], vocabulary.GetProperty("personTypes").Strings());
        Assert.Equal(["Active", "Current"], vocabulary.GetProperty("statuses").Strings());
        await (await _admin.GetAsync($"/api/v1/people/vocabulary?siteId={Guid.NewGuid()}", Ct)).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CreatePerson_NoPersonType_DefaultsToMember()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreatePersonAsync(site, "Plain");
        Assert.Equal("Member", (await _admin.GetJsonAsync($"/api/v1/people/{id}")).GetProperty("personType").GetString());
    }

    [Fact]
    public async Task UpdatePerson_ReplacesFields_AndRecordsAudit()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreatePersonAsync(site, "Old Name", externalId: "X-1");

        var updated = await (await _admin.PutJsonAsync($"/api/v1/people/{id}", new { siteId = site, name = "New Name", blocklisted = true, source = "cv" }))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("New Name", updated.GetProperty("name").GetString());
        Assert.True(updated.GetProperty("blocklisted").GetBoolean());
        Assert.Equal("cv", updated.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("externalId").ValueKind);
        var audit = await _admin.GetJsonAsync($"/api/v1/audit?entityId={id}");
        Assert.Equal(["updated", "created"], audit.Items().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task UpdatePerson_OtherSiteId_Answers400AndKeepsSite()
    {
        var site = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync("Other");
        var id = await _admin.CreatePersonAsync(site);

        await (await _admin.PutJsonAsync($"/api/v1/people/{id}", new { siteId = other, name = "Moved" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "site_change_not_allowed");
        Assert.Equal(site, (await _admin.GetJsonAsync($"/api/v1/people/{id}")).GetProperty("siteId").GetGuid());
    }

    [Fact]
    public async Task CreatePerson_ExternalIdTakenAtSite_Answers409AndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        await _admin.CreatePersonAsync(site, "First", externalId: "dup");
        var before = await _admin.TotalAsync($"/api/v1/people?siteId={site}");

        await (await _admin.PostJsonAsync("/api/v1/people", new { siteId = site, name = "Second", externalId = "dup" }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "external_id_taken");

        Assert.Equal(before, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
        var otherSite = await _admin.CreateSiteAsync("Elsewhere");
        await _admin.CreatePersonAsync(otherSite, "Same id elsewhere", externalId: "dup");
    }

    [Fact]
    public async Task CreatePerson_SameExternalIdConcurrently_OneCreatedOthers409()
    {
        var site = await _admin.CreateSiteAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            _admin.PostJsonAsync("/api/v1/people", new { siteId = site, name = $"Racer {i}", externalId = "RACE" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var conflict in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
            await conflict.ExpectProblemAsync(HttpStatusCode.Conflict, "external_id_taken");
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Fact]
    public async Task UpdatePerson_ExternalIdOfAnother_Answers409()
    {
        var site = await _admin.CreateSiteAsync();
        await _admin.CreatePersonAsync(site, "First", externalId: "A");
        var second = await _admin.CreatePersonAsync(site, "Second", externalId: "B");

        await (await _admin.PutJsonAsync($"/api/v1/people/{second}", new { siteId = site, name = "Second", externalId = "A" }))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "external_id_taken");
        Assert.Equal("B", (await _admin.GetJsonAsync($"/api/v1/people/{second}")).GetProperty("externalId").GetString());
    }

    [Fact]
    public async Task ListPeople_Filters_MatchQueryTypeStatusTagAndFlags()
    {
        var site = await _admin.CreateSiteAsync();
        await _admin.CreatePersonAsync(site, "Ada", externalId: "EXT-77", personType: "Member", membershipStatus: "Active", customTags: ["pool"]);
        var bob = await _admin.CreatePersonAsync(site, "Bob", personType: "Staff", membershipStatus: "Expired");
        await (await _admin.PutJsonAsync($"/api/v1/people/{bob}/access", new { enabled = false })).ExpectAsync(HttpStatusCode.OK);
        await (await _admin.PostJsonAsync("/api/v1/people/sync", new { siteId = site, people = new[] { new { externalId = "S-1", name = "Cy", tags = new[] { "pool" } } } }))
            .ExpectAsync(HttpStatusCode.OK);
        var baseUrl = $"/api/v1/people?siteId={site}";

        async Task<IEnumerable<string?>> Names(string filter) =>
            (await _admin.GetJsonAsync($"{baseUrl}&{filter}")).Items().Select(p => p.GetProperty("name").GetString());

        Assert.Equal(["Ada"], await Names("q=ext-7"));
        Assert.Equal(["Ada"], await Names("q=ADA"));
        Assert.Equal(["Bob"], await Names("personType=Staff"));
        Assert.Equal(["Bob"], await Names("status=Expired"));
        Assert.Equal(["Ada", "Cy"], await Names("tag=pool"));
        Assert.Equal(["Bob"], await Names("accessEnabled=false"));
        Assert.Empty(await Names("blocklisted=true"));
        Assert.Empty(await Names("q=%25"));
        Assert.Equal(["Ada", "Bob", "Cy"], await Names("sort=name"));
    }

    [Fact]
    public async Task ListPeople_SortAndPaging_OrdersAndSplits()
    {
        var site = await _admin.CreateSiteAsync();
        foreach (var name in new[] { "carol", "alice", "bert" })
        {
            await _admin.CreatePersonAsync(site, name);
            server.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var url = $"/api/v1/people?siteId={site}&pageSize=2";

        var byName = await _admin.GetJsonAsync($"{url}&sort=-name");
        Assert.Equal(3, byName.GetProperty("total").GetInt32());
        Assert.Equal(["carol", "bert"], byName.Items().Select(p => p.GetProperty("name").GetString()));
        var second = await _admin.GetJsonAsync($"{url}&sort=-name&page=2");
        Assert.Equal(["alice"], second.Items().Select(p => p.GetProperty("name").GetString()));
        var byCreated = await _admin.GetJsonAsync($"{url}&sort=createdAt");
        Assert.Equal(["carol", "alice"], byCreated.Items().Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task SetCustomTags_ReplacesCustomTags_KeepsSyncedTags()
    {
        var site = await _admin.CreateSiteAsync();
        await (await _admin.PostJsonAsync("/api/v1/people/sync", new { siteId = site, people = new[] { new { externalId = "T-1", name = "Tess", tags = new[] { "gold" } } } }))
            .ExpectAsync(HttpStatusCode.OK);
        var id = (await _admin.GetJsonAsync($"/api/v1/people?siteId={site}")).Items().Single().Id();

        var result = await (await _admin.PutJsonAsync($"/api/v1/people/{id}/custom-tags", new { tags = new[] { "staff", "night" } })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(["staff", "night"], result.GetProperty("customTags").Strings());
        Assert.Equal(["gold"], result.GetProperty("syncedTags").Strings());
    }

    [Fact]
    public async Task SetAccess_Disabled_StaysOffThroughEditsUntilTurnedOn()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreatePersonAsync(site);

        var off = await (await _admin.PutJsonAsync($"/api/v1/people/{id}/access", new { enabled = false })).ExpectAsync(HttpStatusCode.OK);
        Assert.False(off.GetProperty("accessEnabled").GetBoolean());
        var edited = await (await _admin.PutJsonAsync($"/api/v1/people/{id}", new { siteId = site, name = "Renamed" })).ExpectAsync(HttpStatusCode.OK);
        Assert.False(edited.GetProperty("accessEnabled").GetBoolean());
        var on = await (await _admin.PutJsonAsync($"/api/v1/people/{id}/access", new { enabled = true })).ExpectAsync(HttpStatusCode.OK);
        Assert.True(on.GetProperty("accessEnabled").GetBoolean());
    }

    [Theory]
    [InlineData("""{"name":"","personType":"Member"}""", "name")]
    [InlineData("""{"name":"X","email":"not-an-email"}""", "email")]
    [InlineData("""{"name":"X","customTags":[""]}""", "customTags")]
    [InlineData("""{"name":"X","phone":"01234567890123456789012345678901234567890"}""", "phone")]
    public async Task CreatePerson_InvalidField_Answers400NamingFieldAndWritesNothing(string fields, string field)
    {
        var site = await _admin.CreateSiteAsync();
        var json = $$"""{"siteId":"{{site}}",{{fields[1..]}}""";

        var problem = await (await _admin.PostRawAsync("/api/v1/people", json)).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Fact]
    public async Task CreatePerson_UnknownSite_Answers400UnknownSite() =>
        await (await _admin.PostJsonAsync("/api/v1/people", new { siteId = Guid.NewGuid(), name = "Nobody" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_site");

    [Fact]
    public async Task SiteLimitedToken_OtherSitesPerson_Answers404AndIsNotListed()
    {
        var mine = await _admin.CreateSiteAsync("Mine");
        var other = await _admin.CreateSiteAsync("Other");
        var stranger = await _admin.CreatePersonAsync(other, "Stranger");
        var limited = server.WithToken(await _admin.CreateTokenAsync(["people:read", "people:write", "people:import"], [mine]));

        await (await limited.GetAsync($"/api/v1/people/{stranger}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PutJsonAsync($"/api/v1/people/{stranger}", new { siteId = other, name = "Hijacked" })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PutJsonAsync($"/api/v1/people/{stranger}/access", new { enabled = false })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.DeleteAsync($"/api/v1/people/{stranger}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PostJsonAsync("/api/v1/people", new { siteId = other, name = "Planted" })).ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_site");
        await (await limited.PostJsonAsync("/api/v1/people/sync", new { siteId = other, people = Array.Empty<object>() })).ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_site");
        Assert.DoesNotContain((await limited.GetJsonAsync("/api/v1/people?pageSize=200")).Items(), p => p.Id() == stranger);

        var untouched = await _admin.GetJsonAsync($"/api/v1/people/{stranger}");
        Assert.Equal("Stranger", untouched.GetProperty("name").GetString());
        Assert.True(untouched.GetProperty("accessEnabled").GetBoolean());
    }

    [Fact]
    public async Task WritePeople_ReadOnlyToken_Answers403AndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var reader = server.WithToken(await _admin.CreateTokenAsync(["people:read"]));

        await (await reader.PostJsonAsync("/api/v1/people", new { siteId = site, name = "No" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await reader.PostJsonAsync("/api/v1/people/sync", new { siteId = site, people = new[] { new { externalId = "1", name = "No" } } }))
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await server.WithToken(await _admin.CreateTokenAsync(["grants:read"])).GetAsync("/api/v1/people", Ct))
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Fact]
    public async Task DeletePerson_RemovesPersonGrantsAndCredentials()
    {
        var site = await _admin.CreateSiteAsync();
        var id = await _admin.CreatePersonAsync(site);
        await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = id, siteWide = true })).ExpectAsync(HttpStatusCode.Created);
        var card = await (await _admin.PostJsonAsync("/api/v1/credentials", new { personId = id, kind = "card", value = "AB12" })).ExpectAsync(HttpStatusCode.Created);

        await (await _admin.DeleteAsync($"/api/v1/people/{id}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        await (await _admin.GetAsync($"/api/v1/people/{id}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/grants?personId={id}"));
        await (await _admin.GetAsync($"/api/v1/credentials/{card.Id()}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        var audit = await _admin.GetJsonAsync($"/api/v1/audit?entityId={card.Id()}");
        Assert.Equal("deleted", audit.Items().First().GetProperty("action").GetString());
    }
}

public sealed class PeopleApiSqliteTests(SqliteServerFixture fixture) : PeopleApiTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class PeopleApiPostgresTests(PostgresServerFixture fixture) : PeopleApiTests(fixture.Server), IClassFixture<PostgresServerFixture>;
