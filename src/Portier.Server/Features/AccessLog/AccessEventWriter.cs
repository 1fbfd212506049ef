using System.Threading.Channels;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.AccessLog;

/// <summary>
/// Appends access events in group commits: every caller waits until its event is durable, but
/// events that arrive together share one transaction, so durability does not cap throughput.
/// </summary>
public sealed partial class AccessEventWriter(IServiceScopeFactory scopes, ILogger<AccessEventWriter> logger) : BackgroundService
{
    private const int MaxBatch = 512;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(50_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Completes once the event is committed; throws if it could not be.</summary>
    public async Task AppendAsync(AccessEvent accessEvent, CancellationToken ct)
    {
        var pending = new Pending(accessEvent, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, ct);
        await pending.Committed.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            await CommitAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            db.Set<AccessEvent>().AddRange(batch.Select(p => p.Event));
            await db.SaveChangesAsync(CancellationToken.None);
            foreach (var pending in batch) pending.Committed.TrySetResult();
        }
        catch (Exception e)
        {
            LogCommitFailed(logger, batch.Count, e);
            foreach (var pending in batch) pending.Committed.TrySetException(e);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private sealed record Pending(AccessEvent Event, TaskCompletionSource Committed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit {Count} access events")]
    private static partial void LogCommitFailed(ILogger logger, int count, Exception exception);
}
