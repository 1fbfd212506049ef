using Portier.Core.Policy;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Decisions;

/// <summary>
/// Holds the compiled policy. Decisions read the current snapshot without locks; a saved policy
/// change marks it stale (<see cref="DefinitionChangeInterceptor"/>), and the next reader rebuilds it
/// once, so an answer never reflects configuration older than the last acknowledged write.
/// </summary>
public sealed partial class PolicySnapshotStore : IDefinitionCache, IDisposable
{
    private readonly RebuiltOnChange<PolicySnapshot> _snapshot;

    public PolicySnapshotStore(IServiceScopeFactory scopes, ILogger<PolicySnapshotStore> logger) =>
        _snapshot = new(async ct =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await using var scope = scopes.CreateAsyncScope();
            var definitions = await PolicyDefinitionsLoader.LoadAsync(scope.ServiceProvider.GetRequiredService<PortierDbContext>(), ct);
            var snapshot = PolicySnapshot.Compile(definitions);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            LogRebuilt(logger, snapshot.PersonCount, snapshot.DoorCount, elapsed.TotalMilliseconds);
            return snapshot;
        });

    public string Name => "policy";

    public Type DefinitionMarker => typeof(IPolicyDefinition);

    public void MarkChanged() => _snapshot.MarkChanged();

    public ValueTask<PolicySnapshot> GetAsync(CancellationToken ct) => _snapshot.GetAsync(ct);

    public void Dispose() => _snapshot.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Policy snapshot rebuilt: {People} people, {Doors} doors in {Milliseconds:F1} ms")]
    private static partial void LogRebuilt(ILogger logger, int people, int doors, double milliseconds);
}
