using System.Collections.Concurrent;
using Portier.Core.Policy;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Decisions;

/// <summary>
/// Holds the compiled policy. Decisions read the current snapshot without locks; a saved policy
/// change marks it stale (<see cref="DefinitionChangeInterceptor"/>), and the next reader brings it up
/// to date once, so an answer never reflects configuration older than the last acknowledged write.
/// A commit that changed people, credentials, grants or doors only, of this node or announced by another
/// with its rows, is applied to the snapshot by reading just those rows (<see cref="PolicySnapshot.Apply"/>);
/// anything wider, a change announced without rows, or a patch that asks for it, rebuilds the snapshot from every row.
/// </summary>
public sealed partial class PolicySnapshotStore : IRowPatchedCache, IDisposable
{
    private readonly RebuiltOnChange<PolicySnapshot> _snapshot;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger<PolicySnapshotStore> _logger;
    private readonly ConcurrentQueue<DefinitionRowChange> _rows = new();
    // A full rebuild is owed while the rebuilds asked for outnumber those started since.
    private long _fullAsked;
    private long _fullStarted = -1;
    private long _rebuilds;
    private long _patches;

    public PolicySnapshotStore(IServiceScopeFactory scopes, ILogger<PolicySnapshotStore> logger)
    {
        _scopes = scopes;
        _logger = logger;
        _snapshot = new(BuildAsync);
    }

    public string Name => "policy";

    public Type DefinitionMarker => typeof(IPolicyDefinition);

    public void MarkChanged()
    {
        Interlocked.Increment(ref _fullAsked);
        _snapshot.MarkChanged();
    }

    public void RowsChanged(IReadOnlyList<DefinitionRowChange> rows)
    {
        foreach (var row in rows) _rows.Enqueue(row);
        _snapshot.MarkChanged();
    }

    /// <summary>Full rebuilds from every row since start.</summary>
    public long Rebuilds => Interlocked.Read(ref _rebuilds);

    /// <summary>Builds that applied changed rows to the previous snapshot instead.</summary>
    public long Patches => Interlocked.Read(ref _patches);

    public ValueTask<PolicySnapshot> GetAsync(CancellationToken ct) => _snapshot.GetAsync(ct);

    public void Dispose() => _snapshot.Dispose();

    /// <summary>Runs alone (<see cref="RebuiltOnChange{T}"/> serialises builds); rows queued after the drain wait for the next build.</summary>
    private async Task<PolicySnapshot> BuildAsync(CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var fullAsked = Interlocked.Read(ref _fullAsked);
        var rows = new List<DefinitionRowChange>();
        while (_rows.TryDequeue(out var row)) rows.Add(row);
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        if (fullAsked == Interlocked.Read(ref _fullStarted) && _snapshot.Latest is { } current)
        {
            try
            {
                if (await PatchAsync(db, current, rows, ct) is { } patched)
                {
                    var took = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    LogPatched(_logger, rows.Count, took);
                    Interlocked.Increment(ref _patches);
                    return patched;
                }
            }
            catch (PolicyDefinitionException)
            {
                // The rows break the definitions as they stand (a card number issued again, say): the full rebuild settles it.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPatchFailed(_logger, e);
            }
        }
        Interlocked.Exchange(ref _fullStarted, fullAsked);
        try
        {
            var snapshot = PolicySnapshot.Compile(await PolicyDefinitionsLoader.LoadAsync(db, ct));
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogRebuilt(_logger, snapshot.PersonCount, snapshot.DoorCount, took);
            Interlocked.Increment(ref _rebuilds);
            return snapshot;
        }
        catch
        {
            // The next reader tries the full rebuild again.
            Interlocked.Exchange(ref _fullStarted, -1);
            throw;
        }
    }

    /// <summary>The snapshot with each changed row applied, or null when one of them asks for a full rebuild.</summary>
    private static async Task<PolicySnapshot?> PatchAsync(PortierDbContext db, PolicySnapshot snapshot, List<DefinitionRowChange> rows, CancellationToken ct)
    {
        if (await PolicyRowLoader.LoadAsync(db, rows, ct) is not { } changes) return null;
        foreach (var change in changes)
        {
            if (snapshot.Apply(change) is not { } patched) return null;
            snapshot = patched;
        }
        return snapshot;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Policy snapshot rebuilt: {People} people, {Doors} doors in {Milliseconds:F1} ms")]
    private static partial void LogRebuilt(ILogger logger, int people, int doors, double milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Policy snapshot patched with {Rows} changed rows in {Milliseconds:F2} ms")]
    private static partial void LogPatched(ILogger logger, int rows, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying a change to the policy snapshot failed; rebuilding it in full")]
    private static partial void LogPatchFailed(ILogger logger, Exception exception);
}
