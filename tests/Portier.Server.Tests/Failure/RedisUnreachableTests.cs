using System.Net;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Failure;

/// <summary>A node whose configured Redis does not answer: not ready, guessing fails closed, the sign-in limit holds per node.</summary>
public sealed class RedisUnreachableTests(RedisUnreachableTests.Fixture fixture) : IClassFixture<RedisUnreachableTests.Fixture>
{
    public sealed class Fixture() : ServerFixture(DatabaseKind.Sqlite)
    {
        protected override void Configure(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) => PortierServer.WithSettings(new Dictionary<string, string?>
        {
            // Nothing listens there.
            ["Redis:Configuration"] = $"127.0.0.1:{PortierServer.FreePort()},connectTimeout=300",
            ["Auth:SignInAttemptsPerMinute"] = "2",
        })(builder);
    }

    private readonly PortierServer _server = fixture.Server;

    [Fact]
    public async Task Readiness_ReportsTheNodeUnready()
    {
        var ready = await _server.Anonymous().GetAsync("/health/ready", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var live = await _server.Anonymous().GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task PresentedPin_IsRefusedUnchecked_EvenTheRightOne()
    {
        await using var keypads = await GuessingLimitTests.KeypadsAsync(_server);

        Assert.Equal("too_many_attempts", await keypads.TypeAsync(GuessingLimitTests.Pin));
        Assert.Empty(await keypads.AttemptsAsync("granted"));
    }

    [Fact]
    public async Task SignInRateLimit_FallsBackToThisNodesOwnWindow()
    {
        for (var i = 0; i < 2; i++)
            await (await _server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email = $"{Guid.NewGuid():N}@example.org", password = "wrong password!!" }))
                .ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        await (await _server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email = "late@example.org", password = "wrong password!!" }))
            .ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
    }
}
