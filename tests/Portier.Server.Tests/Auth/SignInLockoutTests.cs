using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Auth;

/// <summary>Per-account lockout with back-off for admin logins and member sign-in codes, beside the per-address limit.</summary>
public abstract class SignInLockoutTests(PortierServer server)
{
    private const string Password = "correct horse battery";
    private readonly HttpClient _admin = server.Admin();

    private async Task<string> CreateAdminAsync()
    {
        var email = $"{Guid.NewGuid():N}@example.org";
        await (await _admin.PostJsonAsync("/api/v1/admins", new { email, name = "Operator", password = Password })).ExpectAsync(HttpStatusCode.Created);
        return email;
    }

    private Task<HttpResponseMessage> LoginAsync(string email, string password) =>
        server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email, password });

    private async Task FailAsync(string email, int times)
    {
        for (var i = 0; i < times; i++)
            await (await LoginAsync(email, "wrong password!!")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    private static async Task<int> ExpectLockedAsync(HttpResponseMessage response)
    {
        await response.ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
        return (int)response.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
    }

    [Fact]
    public async Task Login_FiveFailures_LocksTheAccountEvenForTheRightPassword_OtherAccountsUnaffected()
    {
        var email = await CreateAdminAsync();
        var bystander = await CreateAdminAsync();

        await FailAsync(email, 5);

        Assert.Equal(60, await ExpectLockedAsync(await LoginAsync(email, Password)));
        Assert.Equal(60, await ExpectLockedAsync(await LoginAsync(email.ToUpperInvariant(), Password)));
        await (await LoginAsync(bystander, Password)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Login_AfterTheLock_RightPasswordWorks_AndRepeatedLocksDoubleUpToAnHour()
    {
        var email = await CreateAdminAsync();
        var expected = new[] { 60, 120, 240, 480, 960, 1920, 3600, 3600 };

        foreach (var seconds in expected)
        {
            await FailAsync(email, 5);
            Assert.Equal(seconds, await ExpectLockedAsync(await LoginAsync(email, Password)));
            server.Clock.Advance(TimeSpan.FromSeconds(seconds + 1));
        }

        await (await LoginAsync(email, Password)).ExpectAsync(HttpStatusCode.OK);
        // The success cleared the count: four more failures do not lock.
        await FailAsync(email, 4);
        await (await LoginAsync(email, Password)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Login_UnknownEmail_IsLockedTheSameWay_SoTheLockRevealsNothing()
    {
        var unknown = $"{Guid.NewGuid():N}@example.org";

        await FailAsync(unknown, 5);

        Assert.Equal(60, await ExpectLockedAsync(await LoginAsync(unknown, Password)));
    }

    [Fact]
    public async Task MemberVerify_FiveFailures_LocksTheAccount_EvenWithAFreshCode()
    {
        var site = await _admin.CreateSiteAsync();
        var email = $"{Guid.NewGuid():N}@example.org";
        await (await _admin.PostJsonAsync("/api/v1/people", new { siteId = site, name = "Guesser", email, personType = "Member" })).ExpectAsync(HttpStatusCode.Created);
        await (await server.Anonymous().PostJsonAsync("/api/v1/app/sign-in", new { siteId = site, email })).ExpectAsync(HttpStatusCode.Accepted);
        var first = await server.ReadSignInCodeAsync(email);
        var wrong = first == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++)
            await (await server.Anonymous().PostJsonAsync("/api/v1/app/verify", new { siteId = site, email, code = wrong })).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_code");

        await (await server.Anonymous().PostJsonAsync("/api/v1/app/sign-in", new { siteId = site, email })).ExpectAsync(HttpStatusCode.Accepted);
        var fresh = await server.ReadSignInCodeAsync(email);
        var locked = await server.Anonymous().PostJsonAsync("/api/v1/app/verify", new { siteId = site, email, code = fresh });

        Assert.Equal(60, await ExpectLockedAsync(locked));
        server.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await server.Anonymous().PostJsonAsync("/api/v1/app/verify", new { siteId = site, email, code = fresh })).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task MemberVerify_UnknownEmail_IsLockedTheSameWay()
    {
        var body = new { siteId = await _admin.CreateSiteAsync(), email = $"{Guid.NewGuid():N}@example.org", code = "192837" };
        for (var i = 0; i < 5; i++)
            await (await server.Anonymous().PostJsonAsync("/api/v1/app/verify", body)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_code");

        Assert.Equal(60, await ExpectLockedAsync(await server.Anonymous().PostJsonAsync("/api/v1/app/verify", body)));
    }
}

public sealed class SignInLockoutSqliteTests(SqliteServerFixture fixture) : SignInLockoutTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class SignInLockoutPostgresTests(PostgresServerFixture fixture) : SignInLockoutTests(fixture.Server), IClassFixture<PostgresServerFixture>;

/// <summary>The lock is kept in the database, so a restart does not open it.</summary>
public sealed class SignInLockoutRestartTests
{
    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Lock_SurvivesARestart(DatabaseKind kind)
    {
        var database = await TestDatabase.CreateAsync(kind);
        var email = $"{Guid.NewGuid():N}@example.org";
        await using (var first = new PortierServer(database, ownsDatabase: false))
        {
            await (await first.Admin().PostJsonAsync("/api/v1/admins", new { email, name = "Operator", password = "correct horse battery" })).ExpectAsync(HttpStatusCode.Created);
            for (var i = 0; i < 5; i++)
                await (await first.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email, password = "wrong password!!" }))
                    .ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        await using var second = new PortierServer(database);
        await (await second.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email, password = "correct horse battery" }))
            .ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
    }
}
