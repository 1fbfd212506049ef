using System.Runtime.CompilerServices;

namespace Portier.Core.Policy;

/// <summary>
/// An immutable map from a key (a credential's site, kind and value) to a dense index. A change copies only a small
/// overlay of the changes made since the base was built (a removed key maps to -1 there); once the overlay outgrows
/// <see cref="Overlay.Limit"/>, the change folds it into a new base. Readers of an older map are never disturbed.
/// Ids map with <see cref="GuidIndex"/>, which keeps its overlay the same way.
/// </summary>
internal sealed class IdMap<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, int> _base;
    private readonly Dictionary<TKey, int>? _overlay;

    public IdMap(Dictionary<TKey, int> map) : this(map, null, map.Count) { }

    private IdMap(Dictionary<TKey, int> map, Dictionary<TKey, int>? overlay, int count)
    {
        _base = map;
        _overlay = overlay;
        Count = count;
    }

    /// <summary>How many keys are present.</summary>
    public int Count { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(TKey key, out int value)
    {
        if (_overlay is not null && _overlay.TryGetValue(key, out value)) return value >= 0;
        return _base.TryGetValue(key, out value);
    }

    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    public int this[TKey key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException();

    public IdMap<TKey> With(TKey key, int value) => Change([(key, value)]);

    public IdMap<TKey> Without(TKey key) => Change([(key, -1)]);

    /// <summary>A map with each key set to its index, or removed where the index is -1.</summary>
    public IdMap<TKey> Change(ReadOnlySpan<(TKey Key, int Value)> changes)
    {
        var comparer = _base.Comparer;
        var overlay = _overlay is null ? new Dictionary<TKey, int>(changes.Length, comparer) : new Dictionary<TKey, int>(_overlay, comparer);
        var count = Count;
        foreach (var (key, value) in changes)
        {
            // The new overlay starts as this map's, so it holds every earlier change, this call's included.
            var had = overlay.TryGetValue(key, out var current) ? current >= 0 : _base.ContainsKey(key);
            if (value >= 0 && !had) count++;
            else if (value < 0 && had) count--;
            overlay[key] = value;
        }
        if (overlay.Count <= Overlay.Limit(count)) return new IdMap<TKey>(_base, overlay, count);
        var folded = new Dictionary<TKey, int>(_base, comparer);
        foreach (var (key, value) in overlay)
        {
            if (value >= 0) folded[key] = value;
            else folded.Remove(key);
        }
        return new IdMap<TKey>(folded);
    }

    /// <summary>Every key with its index (for checks and diagnostics, not for hot paths).</summary>
    public IEnumerable<KeyValuePair<TKey, int>> Entries()
    {
        foreach (var entry in _base)
            if (_overlay is null || !_overlay.ContainsKey(entry.Key)) yield return entry;
        if (_overlay is null) yield break;
        foreach (var entry in _overlay)
            if (entry.Value >= 0) yield return entry;
    }
}
