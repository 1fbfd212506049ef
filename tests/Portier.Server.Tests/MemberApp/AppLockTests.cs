using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.MemberApp;

public sealed class AppLockTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly PortierServer _server = fixture.Server;
    private readonly HttpClient _admin = fixture.Server.Admin();

    [Fact]
    public async Task AppLock_IdleLongerThanTheSiteAllows_LocksTheSessionUntilANewCodeIsVerified()
    {
        var site = await _admin.CreateSiteAsync();
        await (await _admin.PutJsonAsync($"/api/v1/sites/{site}/member-app", new { appLockMinutes = 10 })).ExpectAsync(HttpStatusCode.OK);
        var (_, app) = await _server.SignInMemberAsync(_admin, site);
        var me = await app.GetJsonAsync("/api/v1/app/me");
        Assert.Equal(10, me.GetProperty("appLockMinutes").GetInt32());

        // Use within the idle time keeps the session open: idleness counts from the last request.
        _server.Clock.Advance(TimeSpan.FromMinutes(9));
        await app.GetJsonAsync("/api/v1/app/doors");
        _server.Clock.Advance(TimeSpan.FromMinutes(9));
        await app.GetJsonAsync("/api/v1/app/doors");

        _server.Clock.Advance(TimeSpan.FromMinutes(10));
        await (await app.GetAsync("/api/v1/app/doors", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "app_locked");
        await (await app.PostJsonAsync($"/api/v1/doors/{Guid.NewGuid()}/unlock", new { })).ExpectProblemAsync(HttpStatusCode.Unauthorized, "app_locked");

        var email = me.GetProperty("email").GetString()!;
        await (await _server.Anonymous().PostJsonAsync("/api/v1/app/sign-in", new { siteId = site, email })).ExpectAsync(HttpStatusCode.Accepted);
        var code = await _server.ReadSignInCodeAsync(email);
        var token = (await (await _server.Anonymous().PostJsonAsync("/api/v1/app/verify", new { siteId = site, email, code })).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("token").GetString()!;
        await _server.WithToken(token).GetJsonAsync("/api/v1/app/doors");
    }

    [Fact]
    public async Task AppLock_Off_LeavesAnIdleSessionOpen()
    {
        var site = await _admin.CreateSiteAsync();
        var (_, app) = await _server.SignInMemberAsync(_admin, site);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await app.GetJsonAsync("/api/v1/app/me")).GetProperty("appLockMinutes").ValueKind);

        _server.Clock.Advance(TimeSpan.FromHours(30));

        await app.GetJsonAsync("/api/v1/app/doors");
    }

    [Fact]
    public async Task Settings_BadInputPermissionsAndSites_AreEnforced()
    {
        var site = await _admin.CreateSiteAsync();
        var other = await _admin.CreateSiteAsync("Other");
        var reader = _server.WithToken(await _admin.CreateTokenAsync(["sites:read"]));
        var otherSite = _server.WithToken(await _admin.CreateTokenAsync(["sites:read", "sites:write"], [other]));

        await (await _admin.PutJsonAsync($"/api/v1/sites/{site}/member-app", new { appLockMinutes = 0 })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await _admin.PutJsonAsync($"/api/v1/sites/{site}/member-app", new { appLockMinutes = 1441 })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await reader.PutJsonAsync($"/api/v1/sites/{site}/member-app", new { appLockMinutes = 5 })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await otherSite.PutJsonAsync($"/api/v1/sites/{site}/member-app", new { appLockMinutes = 5 })).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await otherSite.GetAsync($"/api/v1/sites/{site}/member-app", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        var settings = await reader.GetJsonAsync($"/api/v1/sites/{site}/member-app");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, settings.GetProperty("appLockMinutes").ValueKind);
        await (await _admin.PutJsonAsync($"/api/v1/sites/{site}/member-app", new { appLockMinutes = 5 })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(5, (await reader.GetJsonAsync($"/api/v1/sites/{site}/member-app")).GetProperty("appLockMinutes").GetInt32());
    }
}
