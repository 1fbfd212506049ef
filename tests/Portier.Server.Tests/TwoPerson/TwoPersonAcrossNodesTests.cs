using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.Access;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.TwoPerson;

/// <summary>
/// A two-person door on two server nodes of one PostgreSQL database: the person waiting is known to both,
/// so a second person deciding on the other node opens the door, and racing pairs across the nodes open it once.
/// </summary>
public sealed class TwoPersonAcrossNodesTests(Nodes.ScenarioNodesFixture nodes) : IClassFixture<Nodes.ScenarioNodesFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly string[] Cards = ["2C0001", "2C0002", "2C0003"];

    /// <summary>The scenario's front door needing two people, three more card holders, and node B aware of all of it.</summary>
    private async Task<(AccessScenario S, List<Guid> People)> ScenarioAsync()
    {
        var s = await AccessScenario.CreateAsync(nodes.A);
        await (await s.Admin.PutJsonAsync($"/api/v1/doors/{s.DoorId}", new { siteId = s.SiteId, name = "Front door", zoneId = s.ZoneId, twoPerson = new { windowSeconds = 10 } }))
            .ExpectAsync(HttpStatusCode.OK);
        var people = new List<Guid>();
        foreach (var card in Cards)
        {
            var person = await s.CreatePersonAsync("Member", "Current");
            await (await s.Admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = card })).ExpectAsync(HttpStatusCode.Created);
            people.Add(person);
        }
        // One wall clock for both nodes, as NTP keeps it.
        nodes.B.Clock.SetUtcNow(nodes.A.Clock.GetUtcNow());
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await ExplainOnBAsync(s, Cards[^1]) != "two_person_waiting")
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "node B learns of the two-person door and its card holders");
            await Task.Delay(50, Token);
        }
        return (s, people);
    }

    private async Task<string> ExplainOnBAsync(AccessScenario s, string card) =>
        (await (await nodes.B.Admin().PostJsonAsync("/api/v1/decisions/explain", new { doorId = s.DoorId, credential = new { kind = "card", value = card } }))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("reason").GetString()!;

    /// <summary>A card validated at the door by a gate, decided by the given node's access pipeline.</summary>
    private static async Task<string> GateAsync(PortierServer node, AccessScenario s, string card)
    {
        await using var scope = node.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<AccessPipeline>().RunAsync(AccessAttempt.Gate(s.DoorId, CredentialKind.Card, card), Token);
        Assert.NotNull(result);
        return result.Decision.Allowed ? "granted" : result.Decision.Reason.ToCode();
    }

    private static async Task<List<JsonElement>> AttemptsAsync(AccessScenario s) =>
        [.. (await s.Admin.GetJsonAsync($"/api/v1/access-events?doorId={s.DoorId}&pageSize=100")).GetProperty("items").EnumerateArray()];

    [Fact]
    public async Task FirstWaitsOnOneNode_SecondOnTheOtherOpens_TheLogNamesBoth()
    {
        var (s, people) = await ScenarioAsync();
        await using var _ = s;

        Assert.Equal("two_person_waiting", await GateAsync(nodes.A, s, AccessScenario.Card));
        Assert.Equal("granted", await GateAsync(nodes.B, s, Cards[0]));

        var attempts = await AttemptsAsync(s);
        var opened = Assert.Single(attempts, a => a.GetProperty("allowed").GetBoolean());
        Assert.Equal(people[0], opened.GetProperty("personId").GetGuid());
        Assert.Equal(s.PersonId, opened.GetProperty("companionPersonId").GetGuid());
        Assert.Equal(s.PersonId, Assert.Single(attempts, a => a.GetProperty("reason").GetString() == "two_person_waiting").GetProperty("personId").GetGuid());

        // The other way round too; the wait taken by B's opening is gone on A as well.
        Assert.Equal("two_person_waiting", await GateAsync(nodes.B, s, Cards[1]));
        Assert.Equal("granted", await GateAsync(nodes.A, s, Cards[2]));
        Assert.Equal("two_person_waiting", await GateAsync(nodes.B, s, Cards[0]));
    }

    [Fact]
    public async Task RacingAcrossNodes_NeverBothFirst_NeverBothOpen()
    {
        var (s, _) = await ScenarioAsync();
        await using var _ = s;

        for (var round = 0; round < 6; round++)
        {
            // Nobody waits: of two people together on two nodes, one waits and the other opens with them.
            var (onA, onB) = round % 2 == 0 ? (AccessScenario.Card, Cards[0]) : (Cards[0], AccessScenario.Card);
            var together = await Task.WhenAll(Task.Run(() => GateAsync(nodes.A, s, onA), Token), Task.Run(() => GateAsync(nodes.B, s, onB), Token));
            Assert.Equal(["granted", "two_person_waiting"], together.Order());
        }

        // Someone waits: of two second people racing on two nodes, exactly one opens with them; the other waits afresh.
        Assert.Equal("two_person_waiting", await GateAsync(nodes.A, s, Cards[0]));
        var racing = await Task.WhenAll(Task.Run(() => GateAsync(nodes.A, s, Cards[1]), Token), Task.Run(() => GateAsync(nodes.B, s, Cards[2]), Token));
        Assert.Equal(["granted", "two_person_waiting"], racing.Order());
        Assert.Equal(7, (await AttemptsAsync(s)).Count(a => a.GetProperty("allowed").GetBoolean()));
    }
}
