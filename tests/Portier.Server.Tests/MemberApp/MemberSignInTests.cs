using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.MemberApp;

public abstract class MemberSignInTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    [Fact]
    public async Task SignIn_WithEmailedCode_GivesSessionThatIdentifiesThePerson()
    {
        var site = await _admin.CreateSiteAsync();
        var (personId, app) = await server.SignInMemberAsync(_admin, site);

        var me = await app.GetJsonAsync("/api/v1/app/me");

        Assert.Equal(personId, me.GetProperty("personId").GetGuid());
    }

    [Fact]
    public async Task MemberSession_HasNoAdminPermission()
    {
        var site = await _admin.CreateSiteAsync();
        var (_, app) = await server.SignInMemberAsync(_admin, site);

        await (await app.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task SignIn_UnknownEmail_AnswersTheSameAndSendsNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var email = $"{Guid.NewGuid():N}@example.org";

        await (await server.Anonymous().PostJsonAsync("/api/v1/app/sign-in", new { siteId = site, email })).ExpectAsync(HttpStatusCode.Accepted);

        Assert.Empty(await server.MailToAsync(email));
    }

    [Fact]
    public async Task Verify_WrongCodeFiveTimes_BurnsTheCode()
    {
        var site = await _admin.CreateSiteAsync();
        var email = $"{Guid.NewGuid():N}@example.org";
        await (await _admin.PostJsonAsync("/api/v1/people", new { siteId = site, name = "Guesser", email, personType = "Member" })).ExpectAsync(HttpStatusCode.Created);
        await (await server.Anonymous().PostJsonAsync("/api/v1/app/sign-in", new { siteId = site, email })).ExpectAsync(HttpStatusCode.Accepted);
        var code = await server.ReadSignInCodeAsync(email);
        var wrong = code == "000000" ? "111111" : "000000";

        for (var i = 0; i < 5; i++)
            await (await server.Anonymous().PostJsonAsync("/api/v1/app/verify", new { siteId = site, email, code = wrong })).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_code");
        // The fifth failure also locked the account for a minute; past that, the code itself stays burnt.
        server.Clock.Advance(TimeSpan.FromMinutes(2));

        await (await server.Anonymous().PostJsonAsync("/api/v1/app/verify", new { siteId = site, email, code })).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_code");
    }

    [Fact]
    public async Task Verify_ExpiredCode_IsRefused()
    {
        var site = await _admin.CreateSiteAsync();
        var email = $"{Guid.NewGuid():N}@example.org";
        await (await _admin.PostJsonAsync("/api/v1/people", new { siteId = site, name = "Late", email, personType = "Member" })).ExpectAsync(HttpStatusCode.Created);
        await (await server.Anonymous().PostJsonAsync("/api/v1/app/sign-in", new { siteId = site, email })).ExpectAsync(HttpStatusCode.Accepted);
        var code = await server.ReadSignInCodeAsync(email);

        server.Clock.Advance(TimeSpan.FromMinutes(11));

        await (await server.Anonymous().PostJsonAsync("/api/v1/app/verify", new { siteId = site, email, code })).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_code");
    }

    [Fact]
    public async Task MailedCode_IsNotStoredInClear()
    {
        var site = await _admin.CreateSiteAsync();
        var email = $"{Guid.NewGuid():N}@example.org";
        var person = (await (await _admin.PostJsonAsync("/api/v1/people", new { siteId = site, name = "Clear", email, personType = "Member" })).ExpectAsync(HttpStatusCode.Created)).Id();
        await (await server.Anonymous().PostJsonAsync("/api/v1/app/sign-in", new { siteId = site, email })).ExpectAsync(HttpStatusCode.Accepted);
        var code = await server.ReadSignInCodeAsync(email);

        var stored = await server.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
            db.Set<Portier.Server.Features.MemberApp.SignInCode>().Where(c => c.PersonId == person), TestContext.Current.CancellationToken));

        Assert.DoesNotContain(code, stored.CodeHash, StringComparison.Ordinal);
    }
}

public sealed class MemberSignInSqliteTests(SqliteServerFixture fixture) : MemberSignInTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class MemberSignInPostgresTests(PostgresServerFixture fixture) : MemberSignInTests(fixture.Server), IClassFixture<PostgresServerFixture>;
