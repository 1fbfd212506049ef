using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.MemberApp;

public abstract class MemberDoorsTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    [Fact]
    public async Task Doors_WithGrantForOneDoor_ListsOnlyThatDoorOfTheSite()
    {
        var site = await _admin.CreateSiteAsync();
        var granted = await _admin.CreateDoorAsync(site, "Pool gate");
        await _admin.CreateDoorAsync(site, "Staff room");
        var (person, app) = await server.SignInMemberAsync(_admin, site, "Visitor");
        await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = person, doorIds = new[] { granted } })).ExpectAsync(HttpStatusCode.Created);

        var doors = await app.GetJsonAsync("/api/v1/app/doors");

        Assert.Equal([granted], doors.EnumerateArray().Select(d => d.GetProperty("id").GetGuid()));
        Assert.Equal("Pool gate", doors[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Doors_WithAdminToken_IsForbidden() =>
        await (await _admin.GetAsync("/api/v1/app/doors", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

    [Fact]
    public async Task Sites_Anonymous_ListsIdsAndNamesForTheSignInPage()
    {
        var site = await _admin.CreateSiteAsync($"Club {Guid.NewGuid():N}");

        var sites = await server.Anonymous().GetJsonAsync("/api/v1/app/sites");

        var listed = sites.EnumerateArray().Single(s => s.GetProperty("id").GetGuid() == site);
        Assert.Equal(["id", "name"], listed.EnumerateObject().Select(p => p.Name));
    }
}

public sealed class MemberDoorsSqliteTests(SqliteServerFixture fixture) : MemberDoorsTests(fixture.Server), IClassFixture<SqliteServerFixture>;
