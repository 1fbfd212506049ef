using System.Runtime.CompilerServices;

namespace Portier.Core.Policy;

/// <summary>
/// A read-mostly map from ids to dense indexes, laid out for lookups that miss the cache: open addressing
/// with linear probing over one array of (id, index) slots, so a lookup usually touches one cache line where
/// a <see cref="Dictionary{TKey, TValue}"/> touches a bucket and then an entry. The hash folds the id's two
/// 64-bit halves and multiplies by a Fibonacci constant: the random bits of a UUIDv7 (its low half) and
/// sequential ids that differ only in their first bytes both spread evenly. About 1.33 slots per id.
/// A patched snapshot's index (<see cref="Change"/>) keeps the table and holds the changes made since in a small
/// overlay that is read first; a compiled snapshot's index has none, so its lookups pay one null check.
/// </summary>
internal sealed class GuidIndex
{
    private const ulong Fibonacci = 0x9E3779B97F4A7C15;

    /// <summary>Index + 1; 0 marks an empty slot, so a fresh array is an empty table.</summary>
    private readonly Slot[] _slots;
    /// <summary>Ids changed since the table was built, with their index (-1 = removed); null when none.</summary>
    private readonly Dictionary<Guid, int>? _changes;

    public GuidIndex(int capacity) => _slots = new Slot[Math.Max(4, capacity + capacity / 3 + 1)];

    private GuidIndex(Slot[] slots, Dictionary<Guid, int> changes, int count)
    {
        _slots = slots;
        _changes = changes;
        Count = count;
    }

    public int Count { get; private set; }

    public int this[Guid id] => TryGetValue(id, out var index) ? index : throw new KeyNotFoundException($"No entry for {id}.");

    public bool ContainsKey(Guid id) => TryGetValue(id, out _);

    public bool TryGetValue(Guid id, out int index)
    {
        if (_changes is { } changes && changes.TryGetValue(id, out index)) return index >= 0;
        return InTable(id, out index);
    }

    public GuidIndex With(Guid id, int index) => Change([(id, index)]);

    public GuidIndex Without(Guid id) => Change([(id, -1)]);

    /// <summary>
    /// A new index with each id set to its index, or removed where the index is -1; this one is left as it was.
    /// Once the overlay outgrows <see cref="Overlay.Limit"/> the changes are folded into a new table.
    /// </summary>
    public GuidIndex Change(ReadOnlySpan<(Guid Id, int Index)> changes)
    {
        var (overlay, count) = Overlay.Apply(_changes, changes, Count, id => InTable(id, out _));
        if (overlay.Count <= Overlay.Limit(count)) return new GuidIndex(_slots, overlay, count);
        var folded = new GuidIndex(count);
        foreach (ref readonly var slot in _slots.AsSpan())
        {
            if (slot.IndexPlusOne == 0) continue;
            var id = Whole(slot.Low, slot.High);
            if (!overlay.ContainsKey(id)) folded.TryAdd(id, slot.IndexPlusOne - 1);
        }
        foreach (var (id, index) in overlay)
            if (index >= 0) folded.TryAdd(id, index);
        return folded;
    }

    private bool InTable(Guid id, out int index)
    {
        var slots = _slots;
        var (low, high) = Halves(id);
        var i = Home(low, high, (uint)slots.Length);
        while (true)
        {
            ref var slot = ref slots[i];
            if (slot.IndexPlusOne == 0)
            {
                index = -1;
                return false;
            }
            if (slot.Low == low && slot.High == high)
            {
                index = slot.IndexPlusOne - 1;
                return true;
            }
            if (++i == slots.Length) i = 0;
        }
    }

    /// <summary>Adds the id unless present; false when present. The table never grows: its capacity is fixed at construction.</summary>
    public bool TryAdd(Guid id, int index)
    {
        if (_changes is not null) throw new InvalidOperationException("A changed index is immutable; use Change.");
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var slots = _slots;
        if (Count + 1 >= slots.Length) throw new InvalidOperationException("The index is full.");
        var (low, high) = Halves(id);
        var i = Home(low, high, (uint)slots.Length);
        while (slots[i].IndexPlusOne != 0)
        {
            if (slots[i].Low == low && slots[i].High == high) return false;
            if (++i == slots.Length) i = 0;
        }
        slots[i] = new Slot { Low = low, High = high, IndexPlusOne = index + 1 };
        Count++;
        return true;
    }

    internal static Guid Whole(ulong low, ulong high)
    {
        var id = default(Guid);
        ref var bytes = ref Unsafe.As<Guid, byte>(ref id);
        Unsafe.WriteUnaligned(ref bytes, low);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref bytes, 8), high);
        return id;
    }

    internal static (ulong Low, ulong High) Halves(Guid id)
    {
        ref var bytes = ref Unsafe.As<Guid, byte>(ref id);
        return (Unsafe.ReadUnaligned<ulong>(ref bytes), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref bytes, 8)));
    }

    /// <summary>The slot a key starts probing from: the high bits of the mixed hash scaled onto the table (no division).</summary>
    internal static int Home(ulong low, ulong high, uint length) =>
        (int)((((low ^ (high * Fibonacci)) * Fibonacci) >> 32) * length >> 32);

    private struct Slot
    {
        public ulong Low;
        public ulong High;
        public int IndexPlusOne;
    }
}

/// <summary>How many changes an id map keeps beside its table before folding them in: a fold copies the table, so it
/// waits for enough changes to pay for itself, while the overlay stays small enough to sit in cache.</summary>
internal static class Overlay
{
    public static int Limit(int count) => Math.Max(64, 4 * (int)Math.Sqrt(count));

    /// <summary>
    /// A map's next overlay and count: a copy of <paramref name="current"/> (the map's own overlay, so it holds every
    /// earlier change) with each change set, and the count moved by each key added or removed; a key not in the
    /// overlay is present when <paramref name="inTable"/> finds it in the map's table.
    /// </summary>
    public static (Dictionary<TKey, int> Overlay, int Count) Apply<TKey>(
        Dictionary<TKey, int>? current, ReadOnlySpan<(TKey Key, int Index)> changes, int count, Func<TKey, bool> inTable)
        where TKey : notnull
    {
        var overlay = current is null ? new Dictionary<TKey, int>(changes.Length) : new Dictionary<TKey, int>(current);
        foreach (var (key, index) in changes)
        {
            var had = overlay.TryGetValue(key, out var was) ? was >= 0 : inTable(key);
            if (index >= 0 && !had) count++;
            else if (index < 0 && had) count--;
            overlay[key] = index;
        }
        return (overlay, count);
    }
}
