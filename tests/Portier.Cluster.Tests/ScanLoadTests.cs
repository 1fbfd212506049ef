using System.Net;
using Portier.Cluster.Tests.Harness;
using Portier.Core.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Cluster.Tests;

/// <summary>
/// Scans spread over three nodes by the broker: each decided once, recorded once (one access event,
/// one gapless access-log sequence across the nodes' writes) and answered once; a zone's capacity
/// holds exactly when entries race through different nodes.
/// </summary>
public sealed class ScanLoadTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const int Scans = 10_000;
    private const int Doors = 10;
    private const int Members = 200;
    /// <summary>Scans in flight at once, as many readers would have.</summary>
    private const int Window = 100;

    [Fact(Timeout = 900_000)]
    public async Task TenThousandScans_OverThreeNodes_EachDecidedRecordedAndAnsweredOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var cluster = fixture.Cluster;
        var estate = await Estate.CreateAsync(cluster.A);
        var paired = new List<Portier.Simulator.DeviceCredentials>();
        for (var d = 0; d < Doors; d++) paired.Add(await estate.PairControllerAsync(await estate.CreateDoorAsync($"Door {d + 1}")));
        var cards = await estate.CreateMembersAsync(Members);
        await using var controllers = await Controllers.ConnectAsync(estate, paired, ct);

        var scans = new List<Guid>(Scans);
        using var window = new SemaphoreSlim(Window);
        var answers = new List<Task>();
        for (var i = 0; i < Scans; i++)
        {
            await window.WaitAsync(ct);
            var scanId = await controllers.PresentAsync(i % Doors, cards[i % Members], ct);
            scans.Add(scanId);
            answers.Add(controllers.AnswerTo(scanId).WaitAsync(TimeSpan.FromSeconds(60), ct).ContinueWith(_ => window.Release(), TaskScheduler.Default));
        }
        await Task.WhenAll(answers);
        var unanswered = scans.Count(s => !controllers.AnswerTo(s).IsCompletedSuccessfully);
        Assert.True(unanswered == 0, $"{unanswered} of {Scans} scans were not answered within 60 s\n{cluster.Logs()}");

        // A second answer to a scan would come late: wait until the counts stand still before counting.
        var records = new Records(cluster.ConnectionString);
        await Wait.UntilAsync(async () =>
        {
            var seen = controllers.Received.Count;
            await Task.Delay(2_000, ct);
            return controllers.Received.Count == seen;
        }, TimeSpan.FromSeconds(60), "the controllers stop receiving commands", ct);

        var commandsPerScan = controllers.Received.Where(c => c.ScanId is not null).GroupBy(c => c.ScanId!.Value).ToDictionary(g => g.Key, g => g.Count());
        var answeredTwice = commandsPerScan.Count(p => p.Value > 1);
        Assert.True(answeredTwice == 0, $"{answeredTwice} scans were answered more than once (by more than one node)");
        Assert.Equal(Scans, commandsPerScan.Count);
        var refused = controllers.Received.Where(c => c.Type != CommandType.Unlock).Select(c => c.Reason).Distinct().ToList();
        Assert.True(refused.Count == 0, $"valid cards were refused: {string.Join(", ", refused)}\n{cluster.Logs()}");

        var decisions = await records.CountAsync("""SELECT count(*) FROM access_events WHERE "SiteId" = @site AND "OutcomeOf" IS NULL""", estate.SiteId, ct);
        Assert.Equal(Scans, decisions);
        var recorded = await records.RecordedScansAsync(estate.SiteId, ct);
        Assert.Equal(Scans, recorded.Count);
        Assert.All(scans, s => Assert.True(recorded.ContainsKey(s), $"scan {s} has no access event"));
        Assert.Equal(Scans, recorded.Values.Select(r => r.EventId).Distinct().Count());
        var (rows, distinct, lowest, highest) = await records.SequenceAsync(estate.SiteId, ct);
        Assert.True(rows == distinct && highest - lowest + 1 == rows,
            $"the access log's sequence is not one gapless run across the nodes: {rows} rows, {distinct} distinct, {lowest}..{highest}");
    }

    [Fact(Timeout = 300_000)]
    public async Task ZoneCapacity_HoldsExactly_WhenEntriesRaceThroughDifferentNodes()
    {
        var ct = TestContext.Current.CancellationToken;
        const int capacity = 20;
        const int people = 60;
        var cluster = fixture.Cluster;
        var estate = await Estate.CreateAsync(cluster.C);
        var zoneId = await estate.CreateZoneAsync(capacity);
        var paired = new List<Portier.Simulator.DeviceCredentials>();
        for (var d = 0; d < 3; d++) paired.Add(await estate.PairControllerAsync(await estate.CreateDoorAsync($"Hall door {d + 1}", zoneId)));
        var cards = new List<string>();
        for (var p = 0; p < people; p++)
        {
            var card = $"B0{p:X6}";
            await estate.CreateMemberWithCardAsync(card);
            cards.Add(card);
        }
        await using var controllers = await Controllers.ConnectAsync(estate, paired, ct);

        var answers = await Task.WhenAll(cards.Select((card, i) => controllers.ScanAsync(i % 3, card, TimeSpan.FromSeconds(60), ct)));

        var granted = answers.Count(a => a.Type == CommandType.Unlock);
        var full = answers.Count(a => a.Type == CommandType.Deny && a.Reason == "capacity_exceeded");
        Assert.True((granted, full) == (capacity, people - capacity),
            $"{granted} let in and {full} refused as full (expected {capacity} and {people - capacity}); other answers: " +
            string.Join(", ", answers.Where(a => a.Type != CommandType.Unlock && a.Reason != "capacity_exceeded").Select(a => $"{a.Type} {a.Reason}")));
        foreach (var node in cluster.Nodes)
        {
            using var client = node.Client();
            await Wait.UntilAsync(async () => (await client.GetJsonAsync($"/api/v1/zones/{zoneId}")).GetProperty("currentCount").GetInt32() == capacity,
                TimeSpan.FromSeconds(10), $"node {node.Name} counts {capacity} people in the zone", ct);
        }
        var inZone = await new Records(cluster.ConnectionString).CountAsync(
            """SELECT count(*) FROM access_events WHERE "SiteId" = @site AND "OutcomeOf" IS NULL AND "Allowed" """, estate.SiteId, ct);
        Assert.Equal(capacity, inZone);
    }
}
