using Portier.Core.Policy;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Decisions;

/// <summary>
/// Holds the compiled policy. Decisions read the current snapshot without locks; a saved policy
/// change marks it stale, and the next reader rebuilds it once (concurrent readers share that
/// rebuild), so an answer never reflects configuration older than the last acknowledged write.
/// </summary>
public sealed partial class PolicySnapshotStore(IServiceScopeFactory scopes, ILogger<PolicySnapshotStore> logger) : IDisposable
{
    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private volatile PolicySnapshot? _current;
    private long _changeVersion;
    private long _builtVersion = -1;

    public void MarkChanged() => Interlocked.Increment(ref _changeVersion);

    public async ValueTask<PolicySnapshot> GetAsync(CancellationToken ct)
    {
        if (_current is { } fresh && Volatile.Read(ref _builtVersion) >= Volatile.Read(ref _changeVersion)) return fresh;
        await _rebuild.WaitAsync(ct);
        try
        {
            var wanted = Volatile.Read(ref _changeVersion);
            if (_current is { } built && Volatile.Read(ref _builtVersion) >= wanted) return built;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await using var scope = scopes.CreateAsyncScope();
            var definitions = await PolicyDefinitionsLoader.LoadAsync(scope.ServiceProvider.GetRequiredService<PortierDbContext>(), ct);
            var snapshot = PolicySnapshot.Compile(definitions);
            _current = snapshot;
            Volatile.Write(ref _builtVersion, wanted);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            LogRebuilt(logger, snapshot.PersonCount, snapshot.DoorCount, elapsed.TotalMilliseconds);
            return snapshot;
        }
        finally
        {
            _rebuild.Release();
        }
    }

    public void Dispose() => _rebuild.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Policy snapshot rebuilt: {People} people, {Doors} doors in {Milliseconds:F1} ms")]
    private static partial void LogRebuilt(ILogger logger, int people, int doors, double milliseconds);
}
