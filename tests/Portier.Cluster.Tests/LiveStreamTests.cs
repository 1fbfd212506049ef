using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Portier.Cluster.Tests.Harness;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Cluster.Tests;

/// <summary>
/// A live client connected to node B (a real SignalR client over WebSockets) receives every attempt
/// recorded on nodes A and C, in the access log's order, without gaps.
/// </summary>
public sealed class LiveStreamTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const int Attempts = 100;
    private const string Pin = "482913";

    [Fact(Timeout = 300_000)]
    public async Task ClientOnNodeB_ReceivesAttemptsRecordedOnNodesAAndC_InOrder_WithoutGaps()
    {
        var ct = TestContext.Current.CancellationToken;
        var cluster = fixture.Cluster;
        var estate = await Estate.CreateAsync(cluster.A);
        var doorId = await estate.CreateDoorAsync("Reception gate");
        var (personId, _) = await estate.CreateMemberWithCardAsync("D0000001");
        await (await estate.Admin.PostJsonAsync("/api/v1/credentials", new { personId, kind = "pin", pin = Pin })).ExpectAsync(HttpStatusCode.Created);

        var received = new ConcurrentQueue<JsonElement>();
        await using var live = new HubConnectionBuilder()
            .WithUrl(new Uri(cluster.B.BaseAddress, "/hubs/events"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(Harness.Cluster.AdminToken))
            .Build();
        live.On<JsonElement>("AccessGranted", e => received.Enqueue(e));
        live.On<JsonElement>("AccessDenied", e => received.Enqueue(e));
        await live.StartAsync(ct);
        await live.InvokeAsync<JsonElement>("Subscribe", new { siteId = estate.SiteId }, ct);

        using var nodeA = cluster.A.Client();
        using var nodeC = cluster.C.Client();
        var recorded = new List<Guid>();
        for (var i = 0; i < Attempts; i++)
        {
            // Alternate nodes, each attempt answered before the next: the log's order is the order they happened in.
            var node = i % 2 == 0 ? nodeA : nodeC;
            var answer = await (await node.PostJsonAsync("/api/v1/access/validate", new { pointOfEntryId = doorId, method = "pin", value = Pin }))
                .ExpectAsync(HttpStatusCode.OK);
            Assert.True(answer.GetProperty("allowed").GetBoolean(), $"attempt {i} on {node.BaseAddress} was refused: {answer}");
        }
        var log = (await estate.Admin.GetJsonAsync($"/api/v1/access-events?siteId={estate.SiteId}&limit={Attempts + 10}"))
            .GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("outcomeOf").ValueKind == JsonValueKind.Null)
            .OrderBy(e => e.GetProperty("sequence").GetInt64())
            .ToList();
        Assert.Equal(Attempts, log.Count);
        recorded.AddRange(log.Select(e => e.GetProperty("id").GetGuid()));

        await Wait.UntilAsync(() => Task.FromResult(received.Count >= Attempts), TimeSpan.FromSeconds(30),
            $"the client on node B receives all {Attempts} attempts (has {received.Count})\n{cluster.Logs()}", ct);
        await Task.Delay(1_000, ct);
        var data = received.Select(e => e.GetProperty("data")).ToList();
        Assert.Equal(recorded, data.Select(d => d.GetProperty("id").GetGuid()));
        var sequences = data.Select(d => d.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, Attempts).Select(i => sequences[0] + i), sequences);
    }
}
