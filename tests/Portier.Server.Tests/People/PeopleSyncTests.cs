using System.Diagnostics;
using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.People;

public abstract class PeopleSyncTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    private async Task<System.Text.Json.JsonElement> SyncAsync(Guid site, params object[] people) =>
        await (await _admin.PostJsonAsync("/api/v1/people/sync", new { siteId = site, people })).ExpectAsync(HttpStatusCode.OK);

    private async Task<System.Text.Json.JsonElement> ByExternalIdAsync(Guid site, string externalId) =>
        (await _admin.GetJsonAsync($"/api/v1/people?siteId={site}&pageSize=200")).Items().Single(p => p.GetProperty("externalId").GetString() == externalId);

    [Fact]
    public async Task Sync_NewAndExistingPeople_CreatesUpdatesAndCounts()
    {
        var site = await _admin.CreateSiteAsync();
        await SyncAsync(site, new { externalId = "A", name = "Ann", membershipStatus = "Active" }, new { externalId = "B", name = "Ben" });

        var result = await SyncAsync(site,
            new { externalId = "A", name = "Ann", membershipStatus = "Expired" },
            new { externalId = "B", name = "Ben" },
            new { externalId = "C", name = "Cat", personType = "Staff" });

        Assert.Equal(1, result.GetProperty("created").GetInt32());
        Assert.Equal(1, result.GetProperty("updated").GetInt32());
        Assert.Equal(1, result.GetProperty("unchanged").GetInt32());
        Assert.Equal(0, result.GetProperty("skipped").GetInt32());
        Assert.Equal(0, result.GetProperty("failed").GetInt32());
        var cat = await ByExternalIdAsync(site, "C");
        Assert.Equal("integration", cat.GetProperty("source").GetString());
        Assert.Equal("Staff", cat.GetProperty("personType").GetString());
        Assert.Equal("Expired", (await ByExternalIdAsync(site, "A")).GetProperty("membershipStatus").GetString());
    }

    [Fact]
    public async Task Sync_ExistingPerson_ReplacesSyncedTagsAndKeepsCustomTagsAndSwitches()
    {
        var site = await _admin.CreateSiteAsync();
        await SyncAsync(site, new { externalId = "T", name = "Tom", tags = new[] { "gold", "pool" } });
        var id = (await ByExternalIdAsync(site, "T")).Id();
        await (await _admin.PutJsonAsync($"/api/v1/people/{id}/custom-tags", new { tags = new[] { "keyholder" } })).ExpectAsync(HttpStatusCode.OK);
        await (await _admin.PutJsonAsync($"/api/v1/people/{id}/access", new { enabled = false })).ExpectAsync(HttpStatusCode.OK);

        await SyncAsync(site, new { externalId = "T", name = "Tom", tags = new[] { "silver" } });

        var tom = await _admin.GetJsonAsync($"/api/v1/people/{id}");
        Assert.Equal(["silver"], tom.GetProperty("syncedTags").Strings());
        Assert.Equal(["keyholder"], tom.GetProperty("customTags").Strings());
        Assert.False(tom.GetProperty("accessEnabled").GetBoolean());
    }

    [Fact]
    public async Task Sync_DecoupledPerson_IsSkippedAndKeepsAdminEdits()
    {
        var site = await _admin.CreateSiteAsync();
        await SyncAsync(site, new { externalId = "D", name = "Dora" });
        var id = (await ByExternalIdAsync(site, "D")).Id();
        await (await _admin.PutJsonAsync($"/api/v1/people/{id}", new { siteId = site, name = "Dora (edited)", externalId = "D", source = "integration", trackSource = false }))
            .ExpectAsync(HttpStatusCode.OK);

        var result = await SyncAsync(site, new { externalId = "D", name = "Dora From Source" });

        Assert.Equal(1, result.GetProperty("skipped").GetInt32());
        Assert.Equal("Dora (edited)", (await _admin.GetJsonAsync($"/api/v1/people/{id}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Sync_InvalidRows_ReportedByIndexWhileOthersApply()
    {
        var site = await _admin.CreateSiteAsync();

        var result = await SyncAsync(site,
            new { externalId = "OK", name = "Fine" },
            new { externalId = "", name = "No id" },
            new { externalId = "OK", name = "Twice" },
            new { externalId = "E", name = "Eve", email = "nope" });

        Assert.Equal(1, result.GetProperty("created").GetInt32());
        Assert.Equal(3, result.GetProperty("failed").GetInt32());
        var errors = result.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(1, "externalId"), (2, "externalId"), (3, "email")], errors);
        Assert.Equal("Fine", (await ByExternalIdAsync(site, "OK")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Sync_MoreThanTenThousandRows_Answers400AndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var people = Enumerable.Range(0, 10_001).Select(i => new { externalId = $"X{i}", name = $"P{i}" }).ToArray();

        await (await _admin.PostJsonAsync("/api/v1/people/sync", new { siteId = site, people })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
    }

    [Fact]
    public async Task Sync_TenThousandRows_UpsertsInOneCall()
    {
        var site = await _admin.CreateSiteAsync();
        var first = Enumerable.Range(0, 5_000).Select(i => new { externalId = $"N{i}", name = $"Person {i}", tags = new[] { "member" } }).ToArray();
        await SyncAsync(site, first);
        var all = Enumerable.Range(0, 10_000).Select(i => new { externalId = $"N{i}", name = $"Person {i}", tags = new[] { i % 2 == 0 ? "member" : "plus" } }).ToArray();

        var watch = Stopwatch.StartNew();
        var result = await SyncAsync(site, all);
        watch.Stop();

        Assert.Equal(5_000, result.GetProperty("created").GetInt32());
        Assert.Equal(2_500, result.GetProperty("updated").GetInt32());
        Assert.Equal(2_500, result.GetProperty("unchanged").GetInt32());
        Assert.Equal(10_000, await _admin.TotalAsync($"/api/v1/people?siteId={site}"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }
}

public sealed class PeopleSyncSqliteTests(SqliteServerFixture fixture) : PeopleSyncTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class PeopleSyncPostgresTests(PostgresServerFixture fixture) : PeopleSyncTests(fixture.Server), IClassFixture<PostgresServerFixture>;
