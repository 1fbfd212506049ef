using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Portier.Core.Policy;

/// <summary>
/// People's ids mapped to their index, with a copy of each person's <see cref="CompiledPerson"/> record in the same
/// 64-byte, line-aligned slot: at a million people a decision by person id then costs one cache miss (the slot)
/// where an id table and the people's records cost two, one after the other. Open addressing with linear probing and
/// <see cref="GuidIndex"/>'s hash, about 1.33 slots per person.
/// The people's records (<see cref="PersonPages"/>) stay the record of truth: a patched snapshot's index keeps the table and holds the ids changed
/// since in a small overlay that is read first and answers from those records. So a patch that rewrites a
/// person's record must name that person in a change (<see cref="With"/>), and a fold copies their new record in.
/// </summary>
internal sealed class PersonIndex
{
    private const int SlotBytes = 64;

    /// <summary>Pinned, so <see cref="_offset"/> keeps every slot on its own cache line; one spare slot for the shift.</summary>
    private readonly Slot[] _slots;
    private readonly int _offset;
    private readonly int _length;
    /// <summary>Ids changed since the table was built, with their index (-1 = removed); null when none.</summary>
    private readonly Dictionary<Guid, int>? _changes;

    private PersonIndex(int capacity, Dictionary<Guid, int>? changes = null)
    {
        _length = Math.Max(4, capacity + capacity / 3 + 1);
        _slots = GC.AllocateArray<Slot>(_length + 1, pinned: true);
        var start = Marshal.UnsafeAddrOfPinnedArrayElement(_slots, 0);
        _offset = (int)((SlotBytes - (start & (SlotBytes - 1))) & (SlotBytes - 1));
        _changes = changes;
    }

    private PersonIndex(PersonIndex table, Dictionary<Guid, int> changes, int count)
    {
        _slots = table._slots;
        _offset = table._offset;
        _length = table._length;
        _changes = changes;
        Count = count;
    }

    /// <summary>The index of the people <paramref name="ids"/>[0 .. count), person p at index p with record <paramref name="people"/>[p]; ids must be distinct.</summary>
    public static PersonIndex Of(Guid[] ids, in PersonPages people, int count)
    {
        var index = new PersonIndex(count);
        for (var p = 0; p < count; p++)
            if (!index.Add(ids[p], p, people[p])) throw new ArgumentException($"Duplicate person id {ids[p]}.", nameof(ids));
        return index;
    }

    public int Count { get; private set; }

    public bool ContainsKey(Guid id) => TryGetValue(id, out _);

    public bool TryGetValue(Guid id, out int index)
    {
        if (_changes is { } changes && changes.TryGetValue(id, out index)) return index >= 0;
        return !Unsafe.IsNullRef(in InTable(id, out index));
    }

    /// <summary>
    /// The person's record and index; a null reference (and -1) when the id is unknown. The record of an id changed
    /// since the table was built comes from <paramref name="people"/>, the snapshot's array.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly CompiledPerson Find(Guid id, in PersonPages people, out int index)
    {
        if (_changes is { } changes && changes.TryGetValue(id, out index))
            return ref index >= 0 ? ref people[index] : ref Unsafe.NullRef<CompiledPerson>();
        return ref InTable(id, out index);
    }

    /// <summary>A new index with the id at that index (its record in <paramref name="people"/>); this one is left as it was.</summary>
    public PersonIndex With(Guid id, int index, in PersonPages people) => Change([(id, index)], people);

    public PersonIndex Without(Guid id, in PersonPages people) => Change([(id, -1)], people);

    /// <summary>
    /// A new index with each id set to its index, or removed where the index is -1; the records are those of
    /// <paramref name="people"/>, the records of the snapshot this index will belong to. Once the overlay outgrows
    /// <see cref="Overlay.Limit"/> the changes are folded into a new table.
    /// </summary>
    public PersonIndex Change(ReadOnlySpan<(Guid Id, int Index)> changes, in PersonPages people)
    {
        var (overlay, count) = Overlay.Apply(_changes, changes, Count, id => !Unsafe.IsNullRef(in InTable(id, out _)));
        if (overlay.Count <= Overlay.Limit(count)) return new PersonIndex(this, overlay, count);
        var folded = new PersonIndex(count);
        for (var i = 0; i < _length; i++)
        {
            ref var slot = ref At(i);
            if (slot.IndexPlusOne == 0) continue;
            var id = GuidIndex.Whole(slot.Low, slot.High);
            if (!overlay.ContainsKey(id)) folded.Add(id, slot.IndexPlusOne - 1, slot.Record);
        }
        foreach (var (id, index) in overlay)
            if (index >= 0) folded.Add(id, index, people[index]);
        return folded;
    }

    private ref CompiledPerson InTable(Guid id, out int index)
    {
        var (low, high) = GuidIndex.Halves(id);
        var i = GuidIndex.Home(low, high, (uint)_length);
        while (true)
        {
            ref var slot = ref At(i);
            if (slot.IndexPlusOne == 0)
            {
                index = -1;
                return ref Unsafe.NullRef<CompiledPerson>();
            }
            if (slot.Low == low && slot.High == high)
            {
                index = slot.IndexPlusOne - 1;
                return ref slot.Record;
            }
            if (++i == _length) i = 0;
        }
    }

    private bool Add(Guid id, int index, in CompiledPerson record)
    {
        if (Count + 1 >= _length) throw new InvalidOperationException("The index is full.");
        var (low, high) = GuidIndex.Halves(id);
        var i = GuidIndex.Home(low, high, (uint)_length);
        while (At(i).IndexPlusOne != 0)
        {
            if (At(i).Low == low && At(i).High == high) return false;
            if (++i == _length) i = 0;
        }
        At(i) = new Slot { Low = low, High = high, IndexPlusOne = index + 1, Record = record };
        Count++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Slot At(int i) =>
        ref Unsafe.As<byte, Slot>(ref Unsafe.AddByteOffset(ref Unsafe.As<Slot, byte>(ref MemoryMarshal.GetArrayDataReference(_slots)), (nint)_offset + (nint)i * SlotBytes));

    [StructLayout(LayoutKind.Sequential, Size = SlotBytes)]
    private struct Slot
    {
        public ulong Low;
        public ulong High;
        public CompiledPerson Record;
        /// <summary>Index + 1; 0 marks an empty slot, so a fresh array is an empty table.</summary>
        public int IndexPlusOne;
    }
}
