using System.Net;
using Portier.Server.Features.Guessing;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Auth;

/// <summary>Limits against guessing hold in total when the attempts are spread over two nodes sharing one database and one Redis.</summary>
public sealed class SharedLimitsAcrossNodesTests(TwoNodesFixture fixture) : IClassFixture<TwoNodesFixture>
{
    private const string Password = "correct horse battery";
    private readonly TwoNodes _nodes = fixture.Nodes;

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

    [Fact]
    public async Task WrongPinsTypedAtOneReaderThroughBothNodes_BackOffAtTheSameTotalAsOnOne()
    {
        var defaults = new GuessingOptions();
        await using var viaA = await GuessingLimitTests.KeypadsAsync(_nodes.A);
        await using var viaB = new GuessingLimitTests.Keypads(_nodes.B, viaA.SiteId, viaA.Paired);
        await viaB.ConnectAsync();

        var answers = await Task.WhenAll(viaA.TypeAsync(GuessingLimitTests.WrongPins(20)), viaB.TypeAsync(GuessingLimitTests.WrongPins(20, from: 200_000)));

        var all = answers.SelectMany(a => a).ToList();
        Assert.Equal(defaults.ReaderFailures, all.Count(a => a == "invalid_credential"));
        Assert.Equal(40 - defaults.ReaderFailures, all.Count(a => a == "too_many_attempts"));
        // Backed off on both nodes: the right PIN is refused unchecked whichever node hears it.
        Assert.Equal("too_many_attempts", await viaA.TypeAsync(GuessingLimitTests.Pin));
        Assert.Equal("too_many_attempts", await viaB.TypeAsync(GuessingLimitTests.Pin));
        // One burst, one alarm, though both nodes saw it.
        var alarm = Assert.Single(await viaA.AlarmsAsync());
        Assert.Equal("invalid_credential_burst", alarm.GetProperty("kind").GetString());
    }
}

/// <summary>The per-address sign-in rate limit counts the attempts of both nodes together.</summary>
public sealed class SignInRateLimitAcrossNodesTests(SignInRateLimitAcrossNodesTests.Fixture fixture) : IClassFixture<SignInRateLimitAcrossNodesTests.Fixture>
{
    public sealed class Fixture : TwoNodesFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Auth:SignInAttemptsPerMinute"] = "3" };
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
