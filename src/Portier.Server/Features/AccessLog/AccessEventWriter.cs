using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.AccessLog;

/// <summary>
/// Appends access events in group commits: every caller waits until its event is durable, but
/// events that arrive together share one transaction, so durability does not cap throughput.
/// Being the single writer, it also links each event into its site's hash chain, and hands each
/// committed batch to the <see cref="IAccessEventSink"/>s (webhook outbox in the same transaction,
/// live stream after it).
/// </summary>
public sealed partial class AccessEventWriter(
    IServiceScopeFactory scopes, IEnumerable<IAccessEventSink> sinks, ILogger<AccessEventWriter> logger) : BackgroundService
{
    private const int MaxBatch = 512;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(50_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly IAccessEventSink[] _sinks = [.. sinks];

    /// <summary>The last committed (sequence, hash) per site; only the single reader loop touches it.</summary>
    private readonly Dictionary<Guid, ChainHead> _heads = [];

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
        var events = batch.Select(p => p.Event).ToList();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            var heads = new Dictionary<Guid, ChainHead>();
            foreach (var e in events)
            {
                if (!heads.TryGetValue(e.SiteId, out var head)) head = await HeadAsync(db, e.SiteId);
                e.Sequence = head.Sequence + 1;
                e.Hash = AccessEventChain.Compute(e, head.Hash);
                heads[e.SiteId] = new ChainHead(e.Sequence, e.Hash);
            }
            db.Set<AccessEvent>().AddRange(events);
            foreach (var sink in _sinks) await sink.BeforeCommitAsync(db, events, CancellationToken.None);
            await db.SaveChangesAsync(CancellationToken.None);
            foreach (var (site, head) in heads) _heads[site] = head;
            foreach (var pending in batch) pending.Committed.TrySetResult();
        }
        catch (Exception e)
        {
            // The heads may be stale (another node appended); read them again next time.
            _heads.Clear();
            LogCommitFailed(logger, batch.Count, e);
            foreach (var pending in batch) pending.Committed.TrySetException(e);
            return;
        }
        foreach (var sink in _sinks)
        {
            try { sink.AfterCommit(events); }
            catch (Exception e) { LogSinkFailed(logger, sink.GetType().Name, e); }
        }
    }

    private async Task<ChainHead> HeadAsync(PortierDbContext db, Guid siteId)
    {
        if (_heads.TryGetValue(siteId, out var cached)) return cached;
        var last = await db.Set<AccessEvent>().AsNoTracking().Where(e => e.SiteId == siteId)
            .OrderByDescending(e => e.Sequence).Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync();
        return last is null ? new ChainHead(0, AccessEventChain.Genesis) : new ChainHead(last.Sequence, last.Hash);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private sealed record Pending(AccessEvent Event, TaskCompletionSource Committed);

    private readonly record struct ChainHead(long Sequence, string Hash);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit {Count} access events")]
    private static partial void LogCommitFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Access event sink {Sink} failed after commit")]
    private static partial void LogSinkFailed(ILogger logger, string sink, Exception exception);
}
