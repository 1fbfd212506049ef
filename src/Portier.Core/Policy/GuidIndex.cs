using System.Runtime.CompilerServices;

namespace Portier.Core.Policy;

/// <summary>
/// A read-mostly map from ids to dense indexes, laid out for lookups that miss the cache: open addressing
/// with linear probing over one array of (id, index) slots, so a lookup usually touches one cache line where
/// a <see cref="Dictionary{TKey, TValue}"/> touches a bucket and then an entry. The hash folds the id's two
/// 64-bit halves and multiplies by a Fibonacci constant: the random bits of a UUIDv7 (its low half) and
/// sequential ids that differ only in their first bytes both spread evenly. About 1.33 slots per id.
/// </summary>
internal sealed class GuidIndex
{
    private const ulong Fibonacci = 0x9E3779B97F4A7C15;

    /// <summary>Index + 1; 0 marks an empty slot, so a fresh array is an empty table.</summary>
    private readonly Slot[] _slots;

    public GuidIndex(int capacity) => _slots = new Slot[Math.Max(4, capacity + capacity / 3 + 1)];

    public int Count { get; private set; }

    public int this[Guid id] => TryGetValue(id, out var index) ? index : throw new KeyNotFoundException($"No entry for {id}.");

    public bool ContainsKey(Guid id) => TryGetValue(id, out _);

    public bool TryGetValue(Guid id, out int index)
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

    private static (ulong Low, ulong High) Halves(Guid id)
    {
        ref var bytes = ref Unsafe.As<Guid, byte>(ref id);
        return (Unsafe.ReadUnaligned<ulong>(ref bytes), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref bytes, 8)));
    }

    /// <summary>The slot a key starts probing from: the high bits of the mixed hash scaled onto the table (no division).</summary>
    private static int Home(ulong low, ulong high, uint length) =>
        (int)((((low ^ (high * Fibonacci)) * Fibonacci) >> 32) * length >> 32);

    private struct Slot
    {
        public ulong Low;
        public ulong High;
        public int IndexPlusOne;
    }
}
