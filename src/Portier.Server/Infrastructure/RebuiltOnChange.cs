namespace Portier.Server.Infrastructure;

/// <summary>
/// A value built from the database and kept in memory. Readers get it without locks; a saved change
/// marks it stale, and the next reader rebuilds it once (concurrent readers share that rebuild), so
/// a reader never sees a value older than the last acknowledged change.
/// </summary>
public sealed class RebuiltOnChange<T>(Func<CancellationToken, Task<T>> build) : IDisposable where T : class
{
    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private volatile T? _current;
    private long _changeVersion;
    private long _builtVersion = -1;

    public void MarkChanged() => Interlocked.Increment(ref _changeVersion);

    /// <summary>The value as last built, perhaps stale; null before the first build. For readers that must not wait.</summary>
    public T? Latest => _current;

    public async ValueTask<T> GetAsync(CancellationToken ct)
    {
        if (_current is { } fresh && Volatile.Read(ref _builtVersion) >= Volatile.Read(ref _changeVersion)) return fresh;
        await _rebuild.WaitAsync(ct);
        try
        {
            var wanted = Volatile.Read(ref _changeVersion);
            if (_current is { } built && Volatile.Read(ref _builtVersion) >= wanted) return built;
            var rebuilt = await build(ct);
            _current = rebuilt;
            Volatile.Write(ref _builtVersion, wanted);
            return rebuilt;
        }
        finally
        {
            _rebuild.Release();
        }
    }

    public void Dispose() => _rebuild.Dispose();
}
