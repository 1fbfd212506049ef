using Portier.Server.Infrastructure.Hosting;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Infrastructure.Changes;

/// <summary>
/// This node's side of change propagation: its caches by name, the definition version of each name it
/// has caught up with, and whether it hears other nodes' announcements right now. A version that moved
/// past the one caught up with marks the caches of that name stale, once, whichever way the news came
/// (an announcement, the periodic version check, or a reconnect). An announcement of the very next version
/// that names its rows is patched into the caches that patch themselves (<see cref="IRowPatchedCache"/>)
/// instead; a version skipped, or rows of a kind this node does not know, rebuild in full.
/// </summary>
public sealed class NodeChanges
{
    private readonly FrozenDictionary<string, IDefinitionCache[]> _caches;
    /// <summary>The entity types of the caches that patch themselves, by the name a notice gives them.</summary>
    private readonly FrozenDictionary<string, Type> _rowTypes;
    private readonly ConcurrentDictionary<string, long> _caughtUp = new(StringComparer.Ordinal);
    private long _received;
    private long _listeningSince = -1;
    private long _lastChecked = -1;

    private readonly bool _shared;

    public NodeChanges(IEnumerable<IDefinitionCache> caches, IOptions<DatabaseOptions> database, NodeIdentity node)
    {
        NodeId = node.Id;
        _shared = database.Value.Provider == DatabaseProvider.Postgres;
        var all = caches.ToList();
        if (all.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidOperationException($"Two definition caches are named '{twice.Key}'.");
        if (all.FirstOrDefault(c => c.Name.Length is 0 or > DefinitionVersion.MaxNameLength) is { } badly)
            throw new InvalidOperationException($"The definition cache name '{badly.Name}' must be 1 to {DefinitionVersion.MaxNameLength} characters.");
        _caches = all.GroupBy(c => c.Name, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _rowTypes = RowTypes(all.OfType<IRowPatchedCache>());
    }

    private static FrozenDictionary<string, Type> RowTypes(IEnumerable<IRowPatchedCache> caches) =>
        caches.SelectMany(c => c.DefinitionMarker.Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && c.DefinitionMarker.IsAssignableFrom(t)))
            .Distinct()
            .GroupBy(t => t.Name, StringComparer.Ordinal)
            // A name two types share cannot be told apart: rows of either rebuild in full.
            .Where(g => g.Count() == 1)
            .ToFrozenDictionary(g => g.Key, g => g.Single(), StringComparer.Ordinal);

    /// <summary>Tells this node's announcements from others' (its own changes are marked at commit already).</summary>
    public string NodeId { get; }

    /// <summary>Definition changes of other nodes this node has applied since start (announced or found by a version check).</summary>
    public long ChangesReceived => Interlocked.Read(ref _received);

    /// <summary>
    /// True while the listening connection is up: every change another node commits reaches this node
    /// within a second. Always true on SQLite, where no other node writes.
    /// </summary>
    public bool Current => !_shared || Interlocked.Read(ref _listeningSince) >= 0;

    /// <summary>When the versions were last compared (null before the first comparison).</summary>
    public Instant? LastChecked => Interlocked.Read(ref _lastChecked) is >= 0 and var at ? Instant.FromUnixTimeMilliseconds(at) : null;

    /// <summary>The version of <paramref name="name"/>'s definitions this node has caught up with (0: none seen).</summary>
    public long CaughtUpWith(string name) => _caughtUp.GetValueOrDefault(name);

    /// <summary>
    /// Another node's change to the definitions of <paramref name="name"/>, now at <paramref name="version"/>:
    /// marks the caches of that name stale unless this node had caught up with that version already. With
    /// the change's <paramref name="rows"/>, and this node at the version before, patches them instead.
    /// </summary>
    public void Apply(string name, long version, IReadOnlyList<NoticedRow>? rows = null)
    {
        if (!Advance(name, version, out var known)) return;
        if (rows is null || version != known + 1 || !Patch(name, rows)) MarkChanged(name);
        Interlocked.Increment(ref _received);
    }

    private bool Patch(string name, IReadOnlyList<NoticedRow> noticed)
    {
        if (!_caches.TryGetValue(name, out var caches)) return true;
        var rows = new DefinitionRowChange[noticed.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            if (!_rowTypes.TryGetValue(noticed[i].Type, out var type)) return false;
            rows[i] = new DefinitionRowChange(type, noticed[i].Id, noticed[i].Deleted);
        }
        foreach (var cache in caches)
        {
            if (cache is IRowPatchedCache patched) patched.PatchWith(rows);
            else cache.MarkChanged();
        }
        return true;
    }

    /// <summary>
    /// This node's own change, announced as <paramref name="version"/>: counts as caught up only when no
    /// other node's change came in between (that one is still to be applied).
    /// </summary>
    public void Announced(string name, long version)
    {
        _caughtUp.GetOrAdd(name, 0);
        _caughtUp.TryUpdate(name, version, version - 1);
    }

    /// <summary>The versions as read now (a name missing has never changed).</summary>
    public void Checked(IEnumerable<DefinitionVersion> versions, Instant at)
    {
        foreach (var version in versions) Apply(version.Name, version.Version);
        Interlocked.Exchange(ref _lastChecked, at.ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// The listening connection is up again (or for the first time): announcements made while it was down
    /// are lost, so the versions read after listening began are taken and every cache is marked stale once.
    /// </summary>
    public void Listening(IEnumerable<DefinitionVersion> versions, Instant at)
    {
        foreach (var version in versions) Advance(version.Name, version.Version, out _);
        foreach (var name in _caches.Keys) MarkChanged(name);
        Interlocked.Exchange(ref _listeningSince, at.ToUnixTimeMilliseconds());
    }

    public void NotListening() => Interlocked.Exchange(ref _listeningSince, -1);

    private bool Advance(string name, long version, out long known)
    {
        while (true)
        {
            known = _caughtUp.GetOrAdd(name, 0);
            if (version <= known) return false;
            if (_caughtUp.TryUpdate(name, version, known)) return true;
        }
    }

    private void MarkChanged(string name)
    {
        if (!_caches.TryGetValue(name, out var caches)) return;
        foreach (var cache in caches) cache.MarkChanged();
    }
}
