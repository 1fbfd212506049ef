using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Model;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Guessing;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Auth;

/// <summary>Limits against guessing hold in total when the attempts are spread over two nodes sharing one database and one Redis.</summary>
public sealed class SharedLimitsAcrossNodesTests(RedisNodesFixture fixture) : IClassFixture<RedisNodesFixture>
{
    private const string Password = "correct horse battery";
    private readonly ServerNodes _nodes = fixture.Nodes;

    private static Task<HttpResponseMessage> LoginAsync(PortierServer node, string email, string password) =>
        node.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email, password });

    [Fact]
    public async Task SignInFailuresAlternatingOverNodes_LockTheAccountOnBoth()
    {
        var email = $"{Guid.NewGuid():N}@example.org";
        await (await _nodes.A.Admin().PostJsonAsync("/api/v1/admins", new { email, name = "Operator", password = Password })).ExpectAsync(HttpStatusCode.Created);

        for (var i = 0; i < 5; i++)
            await (await LoginAsync(i % 2 == 0 ? _nodes.A : _nodes.B, email, "wrong password!!")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        await (await LoginAsync(_nodes.B, email, Password)).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
        await (await LoginAsync(_nodes.A, email, Password)).ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
    }

    /// <summary>
    /// The guessing guard of each node, as the access pipeline calls it for a presented PIN. (Scans at one
    /// site through both nodes also need the access log's per-site chain to be taken in turns by the nodes.)
    /// </summary>
    private static async Task<GuessVerdict> GuessAsync(PortierServer node, Guid doorId, string pin, bool unknown)
    {
        await using var scope = node.Services.CreateAsyncScope();
        var door = await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Door>().AsNoTracking().SingleAsync(d => d.Id == doorId);
        return await node.Services.GetRequiredService<GuessingLimiter>().AdmitAsync(
            door, CredentialKind.Pin, pin, NodaTime.Instant.FromDateTimeOffset(node.Clock.GetUtcNow()), () => unknown, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task WrongPinsAtOneReaderThroughBothNodesAtOnce_BackOffAtTheSameTotalAsOnOne()
    {
        var defaults = new GuessingOptions();
        var admin = _nodes.A.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await admin.CreateDoorAsync(site);

        var verdicts = await Task.WhenAll(GuessingLimitTests.WrongPins(40).Select((pin, i) => GuessAsync(i % 2 == 0 ? _nodes.A : _nodes.B, door, pin, unknown: true)));

        Assert.Equal(defaults.ReaderFailures, verdicts.Count(v => !v.Throttled));
        // Backed off on both nodes: the right PIN is refused unchecked whichever node hears it.
        Assert.True((await GuessAsync(_nodes.A, door, GuessingLimitTests.Pin, unknown: false)).Throttled);
        Assert.True((await GuessAsync(_nodes.B, door, GuessingLimitTests.Pin, unknown: false)).Throttled);
        // One burst, one alarm, though both nodes saw it.
        var alarm = Assert.Single((await admin.GetJsonAsync($"/api/v1/alarms?doorId={door}")).GetProperty("items").EnumerateArray());
        Assert.Equal("invalid_credential_burst", alarm.GetProperty("kind").GetString());
    }
}

/// <summary>The per-address sign-in rate limit counts the attempts of both nodes together.</summary>
public sealed class SignInRateLimitAcrossNodesTests(SignInRateLimitAcrossNodesTests.Fixture fixture) : IClassFixture<SignInRateLimitAcrossNodesTests.Fixture>
{
    public sealed class Fixture : ServerNodesFixture
    {
        protected override NodeSetup Setup => new() { Redis = true, Settings = new Dictionary<string, string?> { ["Auth:SignInAttemptsPerMinute"] = "3" } };
    }

    [Fact]
    public async Task AttemptsSpreadOverNodes_AreRefusedOnceTheirTotalReachesTheLimit()
    {
        var nodes = fixture.Nodes;
        var order = new[] { nodes.A, nodes.B, nodes.A };
        foreach (var node in order)
            await (await node.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email = $"{Guid.NewGuid():N}@example.org", password = "wrong password!!" }))
                .ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        await (await nodes.B.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email = "late@example.org", password = "wrong password!!" }))
            .ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
        await (await nodes.A.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email = "late@example.org", password = "wrong password!!" }))
            .ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
    }
}
