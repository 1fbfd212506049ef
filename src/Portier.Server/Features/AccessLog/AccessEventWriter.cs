using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Telemetry;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.AccessLog;

/// <summary>
/// Appends access events in group commits: every caller waits until its event is durable, but
/// events that arrive together share one transaction, so durability does not cap throughput.
/// Being the single writer, it also links each event into its site's hash chain (moving the site's
/// <see cref="ChainHead"/> in the same transaction), stores each
/// event's <see cref="IEventCompanion"/>s in the same transaction, and hands each committed batch
/// to the <see cref="IAccessEventSink"/>s (webhook outbox in the same transaction, live stream after it).
/// On PostgreSQL, where other nodes append too, each batch locks its sites' heads (in site order, so
/// two nodes never wait on each other crosswise) and continues from the locked rows, never from memory:
/// two nodes appending to one site take turns and the chain stays one line. SQLite (one node, one
/// writer transaction at a time) continues from the heads this writer last committed.
/// On SQLite every commit is synced to disk before anyone is answered (synchronous=FULL for this
/// writer alone), so an acknowledged event survives a power cut, not just a crash of the process.
/// A batch that fails is retried one event at a time, so one bad event fails only its own caller.
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

    /// <summary>The last committed (sequence, hash) per site, on SQLite; only the single reader loop touches it.</summary>
    private readonly Dictionary<Guid, Link> _heads = [];

    /// <summary>The scope holding <see cref="SessionAsync"/>'s context; only the single reader loop touches it.</summary>
    private AsyncServiceScope? _session;

    /// <summary>Completes once the event is committed; throws if it could not be.</summary>
    public Task AppendAsync(AccessEvent accessEvent, CancellationToken ct) => AppendAsync(accessEvent, [], ct);

    /// <summary>Completes once the event and its companions are committed together; throws if they could not be.</summary>
    public async Task AppendAsync(AccessEvent accessEvent, IReadOnlyList<IEventCompanion> companions, CancellationToken ct)
    {
        using var span = PortierTelemetry.StartRecord(accessEvent); // telemetry: this caller's wait for the group commit
        var pending = new Pending(accessEvent, companions, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), span);
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
        await EndSessionAsync();
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        if (await TryCommitAsync(batch) is not { } failure) return;
        // A database that does not answer fails every event alike: retrying them one by one would
        // hold the last caller for the whole batch's worth of timeouts.
        if (batch.Count == 1 || DbErrors.IsUnavailable(failure))
        {
            foreach (var pending in batch) pending.Committed.TrySetException(failure);
            return;
        }
        // Find the event that broke the batch: alone, each of the others commits.
        foreach (var pending in batch)
        {
            if (await TryCommitAsync([pending]) is { } own) pending.Committed.TrySetException(own);
        }
    }

    /// <summary>Commits the batch and answers its callers; on failure answers nobody and returns the error.</summary>
    private async Task<Exception?> TryCommitAsync(List<Pending> batch)
    {
        var events = batch.Select(p => p.Event).ToList();
        try
        {
            var db = await SessionAsync();
            Dictionary<Guid, Link> heads;
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                heads = await StageAsync(db, batch, events);
                if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
            if (db.Database.IsSqlite()) foreach (var (site, head) in heads) _heads[site] = head;
        }
        catch (Exception e)
        {
            // The cached heads may be stale (the file changed under this writer): read them again next time,
            // on a fresh connection.
            _heads.Clear();
            await EndSessionAsync();
            LogCommitFailed(logger, batch.Count, e);
            return e;
        }
        foreach (var pending in batch)
        {
            PortierTelemetry.Committed(pending.Span, batch.Count);
            pending.Committed.TrySetResult();
        }
        foreach (var sink in _sinks)
        {
            try { sink.AfterCommit(events); }
            catch (Exception e) { LogSinkFailed(logger, sink.GetType().Name, e); }
        }
        return null;
    }

    /// <summary>Links the events into their sites' chains and writes them and their companions; adds the sinks' rows to the context.</summary>
    private async Task<Dictionary<Guid, Link>> StageAsync(PortierDbContext db, List<Pending> batch, List<AccessEvent> events)
    {
        var heads = new Dictionary<Guid, Link>();
        foreach (var site in events.Select(e => e.SiteId).Distinct().Order()) heads[site] = await HeadAsync(db, site);
        foreach (var e in events)
        {
            var head = heads[e.SiteId];
            e.Sequence = head.Sequence + 1;
            e.Hash = AccessEventChain.Compute(e, head.Hash);
            heads[e.SiteId] = new Link(e.Sequence, e.Hash);
        }
        foreach (var group in batch.SelectMany(p => p.Companions).GroupBy(c => c.GetType()))
        {
            var ofThisType = group.ToList();
            await ofThisType[0].StageAllAsync(db, ofThisType, CancellationToken.None);
        }
        await db.AppendRowsAsync(events, CancellationToken.None);
        await ChainHeads.AdvanceAsync(db, heads.Select(h => new ChainHead
        {
            Chain = AccessEventChain.Name, ScopeId = h.Key, Sequence = h.Value.Sequence, Hash = h.Value.Hash,
        }), CancellationToken.None);
        foreach (var sink in _sinks) await sink.BeforeCommitAsync(db, events, CancellationToken.None);
        return heads;
    }

    /// <summary>
    /// The writer's database context, kept from one group commit to the next (only this loop uses it). On
    /// SQLite its connection stays open: SQLite in WAL mode with synchronous=NORMAL (the server's setting, see
    /// <see cref="SqlitePragmas"/>) may lose the last commits on power loss, so this connection is set to FULL
    /// once, which syncs the log at every commit and with it every earlier write; and the statements the
    /// commits run stay prepared on it (<see cref="RowAppender"/>). A failed commit ends the session, and
    /// <see cref="EndSessionAsync"/> gives the connection back its NORMAL.
    /// </summary>
    private async Task<PortierDbContext> SessionAsync()
    {
        if (_session is { } open) return open.ServiceProvider.GetRequiredService<PortierDbContext>();
        var scope = scopes.CreateAsyncScope();
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            // The events and commands go in as SQL and updates too; the tracker holds only what sinks add, all new.
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            if (db.Database.IsSqlite())
            {
                await db.Database.OpenConnectionAsync();
                await SetSynchronousAsync(db, "FULL");
            }
            _session = scope;
            return db;
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    /// <summary>Never throws: a connection left at FULL is only slower.</summary>
    private async Task EndSessionAsync()
    {
        if (_session is not { } scope) return;
        _session = null;
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            if (db.Database.IsSqlite()) await SetSynchronousAsync(db, "NORMAL");
        }
        catch (Exception e)
        {
            LogRestoreFailed(logger, e);
        }
        try
        {
            await scope.DisposeAsync();
        }
        catch (Exception e)
        {
            LogRestoreFailed(logger, e);
        }
    }

    /// <summary>
    /// Straight on the open connection, not through EF Core's raw-SQL pipeline (command building, diagnostics,
    /// logging), for a statement that has no parameters and returns nothing.
    /// </summary>
    private static async Task SetSynchronousAsync(PortierDbContext db, string level)
    {
        await using var pragma = db.Database.GetDbConnection().CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=" + level + ";";
        await pragma.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The site's head: on PostgreSQL locked for this transaction (created empty when the site has none);
    /// on SQLite as last committed here. A site whose rows have no head (written before heads were
    /// kept, and not backfilled) continues from its last row rather than forking the chain at 1.
    /// </summary>
    private async Task<Link> HeadAsync(PortierDbContext db, Guid siteId)
    {
        var sqlite = db.Database.IsSqlite();
        if (sqlite && _heads.TryGetValue(siteId, out var cached)) return cached;
        var head = sqlite
            ? await ChainHeads.ReadAsync(db, AccessEventChain.Name, siteId, lockRow: false, CancellationToken.None)
            : await ChainHeads.LockAsync(db, AccessEventChain.Name, siteId, CancellationToken.None);
        if (head is { Sequence: > 0 }) return new Link(head.Sequence, head.Hash);
        var last = await db.Set<AccessEvent>().AsNoTracking().Where(e => e.SiteId == siteId)
            .OrderByDescending(e => e.Sequence).Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync();
        return last is null ? new Link(0, AccessEventChain.Genesis) : new Link(last.Sequence, last.Hash);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private sealed record Pending(AccessEvent Event, IReadOnlyList<IEventCompanion> Companions, TaskCompletionSource Committed, System.Diagnostics.Activity? Span);

    private readonly record struct Link(long Sequence, string Hash);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit {Count} access events")]
    private static partial void LogCommitFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not set the access log writer's connection back to synchronous=NORMAL, or close it")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Access event sink {Sink} failed after commit")]
    private static partial void LogSinkFailed(ILogger logger, string sink, Exception exception);
}
