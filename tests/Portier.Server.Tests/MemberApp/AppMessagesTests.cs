using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.MemberApp;

public abstract class AppMessagesTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    [Fact]
    public async Task Messages_SiteWidePersonalAndRuleMatched_AppearAsCardsForTheRightPeople()
    {
        var site = await _admin.CreateSiteAsync();
        var (lapsed, lapsedApp) = await server.SignInMemberAsync(_admin, site, status: "Expired");
        var (_, currentApp) = await server.SignInMemberAsync(_admin, site, status: "Current");
        var now = server.Clock.GetUtcNow();
        await CreateMessageAsync(new { siteId = site, title = "Pool closed Monday", body = "Maintenance all day." });
        await CreateMessageAsync(new { siteId = site, personId = lapsed, title = "Your locker key is ready" });
        await CreateMessageAsync(new { siteId = site, title = "Old news", visibleUntil = now.AddMinutes(-1) });
        await CreateMessageAsync(new { siteId = site, title = "Next week", visibleFrom = now.AddDays(7) });
        await (await _admin.PostJsonAsync("/api/v1/app-message-rules", new
        {
            siteId = site, name = "Expired members", membershipStatuses = new[] { "expired" }, title = "Your membership has expired",
            body = "Renew at the front desk to keep opening doors.",
        })).ExpectAsync(HttpStatusCode.Created);

        var lapsedCards = await lapsedApp.GetJsonAsync("/api/v1/app/messages");
        var currentCards = await currentApp.GetJsonAsync("/api/v1/app/messages");

        Assert.Equal(
            [("automatic", "Your membership has expired"), ("personal", "Your locker key is ready"), ("site", "Pool closed Monday")],
            lapsedCards.EnumerateArray().Select(c => (c.GetProperty("kind").GetString(), c.GetProperty("title").GetString())).Order());
        Assert.Equal(["Pool closed Monday"], currentCards.EnumerateArray().Select(c => c.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task Rule_ByTagAndPersonType_MatchesOnlyWhenEveryListMatches()
    {
        var site = await _admin.CreateSiteAsync();
        var (staff, staffApp) = await server.SignInMemberAsync(_admin, site, personType: "Staff");
        var (_, memberApp) = await server.SignInMemberAsync(_admin, site);
        await (await _admin.PutJsonAsync($"/api/v1/people/{staff}", new
        {
            siteId = site, name = "App User", personType = "Staff", membershipStatus = "Current", customTags = new[] { "first-aid" },
        })).ExpectAsync(HttpStatusCode.OK);
        await (await _admin.PostJsonAsync("/api/v1/app-message-rules", new
        {
            siteId = site, name = "First aiders", personTypes = new[] { "Staff" }, tags = new[] { "first-aid" }, title = "Kit check on Friday",
        })).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(["Kit check on Friday"], (await staffApp.GetJsonAsync("/api/v1/app/messages")).EnumerateArray().Select(c => c.GetProperty("title").GetString()));
        Assert.Empty((await memberApp.GetJsonAsync("/api/v1/app/messages")).EnumerateArray());
    }

    [Fact]
    public async Task Create_BadInput_AnswersCodesAndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync("Other");
        var stranger = (await (await _admin.PostJsonAsync("/api/v1/people", new { siteId = other, name = "Stranger", personType = "Member" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var now = server.Clock.GetUtcNow();

        await (await _admin.PostJsonAsync("/api/v1/app-messages", new { siteId = site, title = " " })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await _admin.PostJsonAsync("/api/v1/app-messages", new { siteId = site, title = new string('x', 121) })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await _admin.PostJsonAsync("/api/v1/app-messages", new { siteId = site, title = "Window", visibleFrom = now, visibleUntil = now }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await _admin.PostJsonAsync("/api/v1/app-messages", new { siteId = site, title = "Hi", personId = stranger }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_person");
        await (await _admin.PostJsonAsync("/api/v1/app-message-rules", new { siteId = site, name = "Everyone", title = "Hi" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "rule_without_criteria");
        await (await _admin.PostJsonAsync("/api/v1/app-message-rules", new { siteId = site, name = "Twice", title = "Hi", tags = new[] { "a", "a" } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/app-messages?siteId={site}"));
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/app-message-rules?siteId={site}"));
    }

    [Fact]
    public async Task UpdateAndDelete_MessageAndRule_ChangeWhatMembersSee()
    {
        var site = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync("Other");
        var (_, app) = await server.SignInMemberAsync(_admin, site, status: "Expired");
        var message = (await CreateMessageAsync(new { siteId = site, title = "Draft" })).Id();
        var rule = (await (await _admin.PostJsonAsync("/api/v1/app-message-rules", new
        {
            siteId = site, name = "Expired", membershipStatuses = new[] { "Expired" }, title = "Renew now",
        })).ExpectAsync(HttpStatusCode.Created)).Id();

        await (await _admin.PutJsonAsync($"/api/v1/app-messages/{message}", new { siteId = site, title = "Final" })).ExpectAsync(HttpStatusCode.OK);
        await (await _admin.PutJsonAsync($"/api/v1/app-messages/{message}", new { siteId = other, title = "Moved" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "site_immutable");
        await (await _admin.PutJsonAsync($"/api/v1/app-message-rules/{rule}", new
        {
            siteId = site, name = "Expired", membershipStatuses = new[] { "Expired" }, title = "Renew now", active = false,
        })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Final"], (await app.GetJsonAsync("/api/v1/app/messages")).EnumerateArray().Select(c => c.GetProperty("title").GetString()));

        await (await _admin.RemoveAsync($"/api/v1/app-messages/{message}")).ExpectAsync(HttpStatusCode.NoContent);
        await (await _admin.RemoveAsync($"/api/v1/app-message-rules/{rule}")).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Empty((await app.GetJsonAsync("/api/v1/app/messages")).EnumerateArray());
        await (await _admin.GetAsync($"/api/v1/app-messages/{message}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Messages_PermissionsAndSites_AreEnforced()
    {
        var site = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync("Other");
        var message = (await CreateMessageAsync(new { siteId = site, title = "Hello" })).Id();
        var reader = server.WithToken(await _admin.CreateTokenAsync(["app_messages:read"]));
        var otherSite = server.WithToken(await _admin.CreateTokenAsync(["app_messages:read", "app_messages:write"], [other]));
        var (_, member) = await server.SignInMemberAsync(_admin, site);

        await reader.GetJsonAsync($"/api/v1/app-messages/{message}");
        await (await reader.PostJsonAsync("/api/v1/app-messages", new { siteId = site, title = "No" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await reader.PostJsonAsync("/api/v1/app-message-rules", new { siteId = site, name = "N", title = "No", tags = new[] { "x" } }))
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await otherSite.GetAsync($"/api/v1/app-messages/{message}", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await otherSite.PostJsonAsync("/api/v1/app-messages", new { siteId = site, title = "No" })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await otherSite.RemoveAsync($"/api/v1/app-messages/{message}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, await otherSite.TotalAsync("/api/v1/app-messages"));
        await (await member.GetAsync("/api/v1/app-messages", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await _admin.GetAsync("/api/v1/app/messages", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    private async Task<System.Text.Json.JsonElement> CreateMessageAsync(object body) =>
        await (await _admin.PostJsonAsync("/api/v1/app-messages", body)).ExpectAsync(HttpStatusCode.Created);
}

public sealed class AppMessagesSqliteTests(SqliteServerFixture fixture) : AppMessagesTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class AppMessagesPostgresTests(PostgresServerFixture fixture) : AppMessagesTests(fixture.Server), IClassFixture<PostgresServerFixture>;
