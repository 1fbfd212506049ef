using System.Net;
using System.Text.Json;
using Portier.Cluster.Tests.Harness;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Cluster.Tests;

/// <summary>Nodes whose webhook claims lapse soon after a crash, so a test can watch them being taken over.</summary>
public sealed class ShortLeaseClusterFixture : ClusterFixture
{
    protected override IReadOnlyDictionary<string, string> Extra => new Dictionary<string, string>
    {
        ["Webhooks:Timeout"] = "00:00:05",
        ["Webhooks:ClaimLease"] = "00:00:15",
        ["Webhooks:PollInterval"] = "00:00:01",
    };
}

/// <summary>
/// Node B is killed (SIGKILL) in the middle of scan load and webhook delivery: every command a
/// controller received has its access event, no webhook is sent again after it succeeded (but for
/// one in flight at the kill), the other nodes deliver what B had claimed, scans keep being answered,
/// the controllers stay online, and B rejoins when started again.
/// </summary>
public sealed class NodeLossTests(ShortLeaseClusterFixture fixture) : IClassFixture<ShortLeaseClusterFixture>
{
    private const int Doors = 6;
    private const int Members = 100;
    private const int ScansBeforeKill = 1_000;
    private const int ScansAfterKill = 1_000;
    private const int Window = 50;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 900_000)]
    public async Task KillNineOfOneNode_DuringScansAndWebhooks_LosesNothingAcknowledged_AndDuplicatesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var cluster = fixture.Cluster;
        var estate = await Estate.CreateAsync(cluster.A);
        await using var receiver = new WebhookReceiver();
        await (await estate.Admin.PostJsonAsync("/api/v1/webhooks",
            new { url = receiver.Url, eventTypes = new[] { "access.granted", "access.denied" }, siteId = estate.SiteId })).ExpectAsync(HttpStatusCode.Created);
        var paired = new List<Portier.Simulator.DeviceCredentials>();
        for (var d = 0; d < Doors; d++) paired.Add(await estate.PairControllerAsync(await estate.CreateDoorAsync($"Door {d + 1}")));
        var cards = await estate.CreateMembersAsync(Members);
        await using var controllers = await Controllers.ConnectAsync(estate, paired, ct);

        var before = await ScanAsync(controllers, cards, ScansBeforeKill, killAfter: ScansBeforeKill / 2, cluster.B, receiver);
        var callsAtKill = before.CallsAtKill;
        var after = await ScanAsync(controllers, cards, ScansAfterKill, killAfter: null, null);

        // Nothing acknowledged is lost: every command a controller acted on answers a recorded scan.
        var records = new Records(cluster.ConnectionString);
        var recorded = await records.RecordedScansAsync(estate.SiteId, ct);
        var received = controllers.Received.Where(c => c.ScanId is not null).ToList();
        var unrecorded = received.Where(c => !recorded.TryGetValue(c.ScanId!.Value, out var r) || r.CommandId != c.CommandId).ToList();
        Assert.True(unrecorded.Count == 0, $"{unrecorded.Count} commands the controllers received have no access event with their command\n{cluster.Logs()}");
        var answeredTwice = received.GroupBy(c => c.ScanId).Count(g => g.Count() > 1);
        Assert.True(answeredTwice == 0, $"{answeredTwice} scans were answered more than once");
        // The surviving nodes answer every scan made after the kill.
        var unanswered = after.Scans.Count(s => !controllers.AnswerTo(s).IsCompletedSuccessfully);
        Assert.True(unanswered == 0, $"{unanswered} of {ScansAfterKill} scans after the kill were not answered\n{cluster.Logs()}");
        Console.WriteLine($"scans in flight on the killed node and never answered: {before.Scans.Count(s => !controllers.AnswerTo(s).IsCompletedSuccessfully)}");

        // What the killed node had claimed is delivered by the others: every decision reaches the receiver.
        var decisions = await records.DecisionEventIdsAsync(estate.SiteId, ct);
        await Wait.UntilAsync(() => Task.FromResult(decisions.IsSubsetOf(DeliveredEvents(receiver))), TimeSpan.FromSeconds(180),
            $"every one of {decisions.Count} recorded attempts is delivered to the webhook (has {DeliveredEvents(receiver).Count})\n{cluster.Logs()}", ct);
        var calls = receiver.Calls.ToList();
        var resentAfterSuccess = calls.Select((call, index) => (call.Id, index)).GroupBy(c => c.Id)
            .Where(g => g.Count() > 1)
            // A call answered just before the kill may not have been recorded as a success by the node that sent it.
            .Where(g => !(g.First().index < callsAtKill && g.Skip(1).All(c => c.index >= callsAtKill) && g.Count() == 2))
            .Select(g => $"{g.Key} (calls #{string.Join(", #", g.Select(c => c.index))}; node B killed at call #{callsAtKill})").ToList();
        Assert.True(resentAfterSuccess.Count == 0,
            $"{resentAfterSuccess.Count} webhook messages were sent again after the receiver accepted them: {string.Join("; ", resentAfterSuccess.Take(10))}");

        // The controllers stay online through the loss (their broker never went away), as every surviving node sees.
        foreach (var node in cluster.Nodes.Where(n => n.IsRunning))
        {
            using var client = node.Client();
            foreach (var device in controllers.Devices)
                Assert.True((await client.GetJsonAsync($"/api/v1/devices/{device.Id}")).GetProperty("online").GetBoolean(),
                    $"node {node.Name} shows controller {device.Id} offline after the loss of node B");
        }

        // Node B comes back and takes its share again: the cluster answers every scan with all three running.
        var restarted = await cluster.RestartAsync(cluster.B, ct);
        Assert.True(restarted.IsRunning);
        var rejoined = await ScanAsync(controllers, cards, 300, killAfter: null, null);
        Assert.All(rejoined.Scans, s => Assert.True(controllers.AnswerTo(s).IsCompletedSuccessfully, $"scan {s} after B's restart was not answered"));
    }

    /// <summary>The scans presented, and how many webhook calls the receiver had taken once the killed node could send no more.</summary>
    private sealed record Run(List<Guid> Scans, int CallsAtKill);

    /// <summary>Presents <paramref name="count"/> scans, <see cref="Window"/> at a time; kills <paramref name="victim"/> after <paramref name="killAfter"/> answers.</summary>
    private static async Task<Run> ScanAsync(Controllers controllers, IReadOnlyList<string> cards, int count, int? killAfter, ServerNode? victim,
        WebhookReceiver? receiver = null)
    {
        var scans = new List<Guid>(count);
        var answers = new List<Task>();
        using var window = new SemaphoreSlim(Window);
        var callsAtKill = -1;
        var answered = 0;
        for (var i = 0; i < count; i++)
        {
            await window.WaitAsync(Ct);
            if (killAfter is { } k && victim is not null && Volatile.Read(ref answered) >= k && callsAtKill < 0)
            {
                victim.Kill();
                // A call the node had already put on the wire can still reach the receiver after the process is gone. The others
                // take the endpoint over only when its claim lapses, at least the 5 s send timeout after the node's last send (a
                // claim is renewed to outlast each send), so what arrives in this settling time is the killed node's.
                await Task.Delay(TimeSpan.FromSeconds(2), Ct);
                callsAtKill = receiver?.Calls.Count ?? 0;
            }
            var scanId = await controllers.PresentAsync(i % controllers.Devices.Count, cards[i % cards.Count], Ct);
            scans.Add(scanId);
            answers.Add(controllers.AnswerTo(scanId).WaitAsync(TimeSpan.FromSeconds(30), Ct).ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) Interlocked.Increment(ref answered);
                window.Release();
            }, TaskScheduler.Default));
        }
        await Task.WhenAll(answers);
        if (victim is not null && callsAtKill < 0) Assert.Fail("the node was never killed: too few scans were answered before the kill point");
        return new Run(scans, callsAtKill);
    }

    private static HashSet<Guid> DeliveredEvents(WebhookReceiver receiver) =>
        [.. receiver.Calls.Select(c => JsonDocument.Parse(c.Body).RootElement.GetProperty("data").GetProperty("id").GetGuid())];
}
