using Microsoft.AspNetCore.Hosting;
using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.MemberApp;

public sealed class SignInRateLimitTests
{
    [Fact]
    public async Task SignIn_MoreAttemptsThanTheLimitFromOneAddress_Answers429()
    {
        await using var server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite),
            builder => builder.UseSetting("Auth:SignInAttemptsPerMinute", "3"));
        var body = new { siteId = Guid.NewGuid(), email = "someone@example.org", code = "123456" };

        for (var i = 0; i < 3; i++)
            await (await server.Anonymous().PostJsonAsync("/api/v1/app/verify", body)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_code");

        await (await server.Anonymous().PostJsonAsync("/api/v1/app/verify", body)).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
        await (await server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email = "a@b.c", password = "whatever-long" }))
            .ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
    }

    [Fact]
    public async Task ConsoleSignIn_MoreAttemptsThanTheLimitFromOneAddress_Answers429()
    {
        await using var server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite),
            builder => builder.UseSetting("Auth:SignInAttemptsPerMinute", "2"));
        var client = server.Anonymous();

        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/console/sign-in", TestContext.Current.CancellationToken)).StatusCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/console/sign-in", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/console/setup", TestContext.Current.CancellationToken)).StatusCode);
    }
}
