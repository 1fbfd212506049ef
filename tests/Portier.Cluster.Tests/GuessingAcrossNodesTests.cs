using System.Net;
using Portier.Cluster.Tests.Harness;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Cluster.Tests;

/// <summary>
/// Guessing a gate's PIN through three nodes at once gets no more tries than through one: exactly
/// the reader's limit of wrong PINs is looked up, and then every node refuses, the right PIN included.
/// </summary>
public sealed class GuessingAcrossNodesTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const int ReaderFailures = 5;
    private const int Guesses = 30;
    private const string Pin = "482913";

    [Fact(Timeout = 300_000)]
    public async Task WrongPinsSpreadOverThreeNodes_AreLookedUpExactlyTheReadersLimit_ThenEveryNodeRefuses()
    {
        var ct = TestContext.Current.CancellationToken;
        var cluster = fixture.Cluster;
        var estate = await Estate.CreateAsync(cluster.A,
            guessingLimits: new { readerFailures = ReaderFailures, siteFailures = 1_000, pinFailures = 99, firstLockSeconds = 600, maxLockSeconds = 600 });
        var doorId = await estate.CreateDoorAsync("Reception gate");
        var (personId, _) = await estate.CreateMemberWithCardAsync("C0FFEE01");
        await (await estate.Admin.PostJsonAsync("/api/v1/credentials", new { personId, kind = "pin", pin = Pin })).ExpectAsync(HttpStatusCode.Created);
        var nodes = cluster.Nodes.Select(n => n.Client()).ToList();
        // Every node has learned the gate and the PIN before the guessing starts.
        foreach (var node in nodes)
            await Wait.UntilAsync(async () => (await (await node.PostJsonAsync("/api/v1/decisions/explain",
                    new { doorId, credential = new { kind = "pin", value = Pin } })).ExpectAsync(HttpStatusCode.OK)).GetProperty("allowed").GetBoolean(),
                TimeSpan.FromSeconds(30), $"{node.BaseAddress} knows the PIN", ct);

        var answers = await Task.WhenAll(Enumerable.Range(0, Guesses).Select(i =>
            ValidateAsync(nodes[i % nodes.Count], doorId, (100_000 + i * 7_919).ToString(System.Globalization.CultureInfo.InvariantCulture))));

        var lookedUp = answers.Count(a => a == "invalid_credential");
        Assert.True(lookedUp == ReaderFailures,
            $"{lookedUp} wrong PINs were looked up through three nodes; the reader's limit is {ReaderFailures}. Answers: {string.Join(", ", answers)}\n{cluster.Logs()}");
        Assert.All(answers, a => Assert.Contains(a, (string[])["invalid_credential", "too_many_attempts", "gate_locked_out"]));
        foreach (var node in nodes)
        {
            var right = await ValidateAsync(node, doorId, Pin);
            Assert.True(right is "too_many_attempts" or "gate_locked_out", $"{node.BaseAddress} let the right PIN through a backed-off gate: {right}");
        }
        foreach (var node in nodes) node.Dispose();
    }

    /// <summary>The gate's answer: its reason, or the problem code when the gate is backed off.</summary>
    private static async Task<string> ValidateAsync(HttpClient node, Guid doorId, string pin)
    {
        using var response = await node.PostJsonAsync("/api/v1/access/validate", new { pointOfEntryId = doorId, method = "pin", value = pin });
        var body = await response.JsonAsync();
        return response.StatusCode switch
        {
            HttpStatusCode.OK => body.GetProperty("allowed").GetBoolean() ? "granted" : body.GetProperty("reason").GetString()!,
            HttpStatusCode.TooManyRequests => body.GetProperty("code").GetString()!,
            _ => $"HTTP {(int)response.StatusCode} {body}",
        };
    }
}
