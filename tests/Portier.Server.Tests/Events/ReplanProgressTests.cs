using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Events;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Events;

/// <summary>Re-planning a large series writes its tasks in batches and reports each one on the live stream.</summary>
public sealed class ReplanProgressTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private PortierServer _server = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        _server = new PortierServer(_database, PortierServer.WithSettings(new Dictionary<string, string?> { ["EventAccess:PlanningBatchSize"] = "10" }));
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PolicyAddedToManySessions_StreamsWrittenOfTotalBatchByBatch_ThenDoneWithTheTasksInPlace()
    {
        var e = await EventSetup.CreateAsync(_server);
        var sessions = new List<Guid>();
        for (var day = 1; day <= 25; day++) sessions.Add(await e.SessionAsync(e.Now.AddDays(day)));
        var reports = new ConcurrentQueue<PlanningProgressPayload>();
        var done = new TaskCompletionSource();
        using var listening = _server.Services.GetRequiredService<ILiveEventFeed>().Listen(e.SiteId, evt =>
        {
            if (evt.Data is PlanningProgressPayload progress && progress.SeriesId == e.SeriesId)
            {
                reports.Enqueue(progress);
                if (progress.Stage is PlanningStage.Done or PlanningStage.Failed) done.TrySetResult();
            }
            return Task.CompletedTask;
        }, () => { });

        await e.PolicyAsync(e.BuiltInZoneId, 30, 15);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // 25 sessions × (grant + revoke) = 50 tasks, saved ten at a time.
        Assert.Equal(
            [(PlanningStage.Loading, 0, 0), (PlanningStage.Writing, 0, 50),
             (PlanningStage.Writing, 10, 50), (PlanningStage.Writing, 20, 50), (PlanningStage.Writing, 30, 50),
             (PlanningStage.Writing, 40, 50), (PlanningStage.Writing, 50, 50), (PlanningStage.Done, 50, 50)],
            reports.Select(r => (r.Stage, r.Written, r.Total)));
        Assert.Single(reports.Select(r => r.StartedAt).Distinct());
        foreach (var session in sessions) Assert.Equal(2, (await e.TasksAsync(session)).Count);
    }
}
