namespace Portier.Core.Policy;

/// <summary>
/// An immutable map from a credential's key (its owner's site, kind and value) to its dense index, laid out for
/// lookups that miss the cache: open addressing with linear probing over one array of slots, each holding the key,
/// its hash, its index and its owner's index, so a card costs one miss on the table where a
/// <see cref="Dictionary{TKey, TValue}"/> costs a bucket, an entry and the string, and the credential's record and
/// its owner's are then fetched side by side rather than one after the other. The value's hash is computed once and
/// reused for the site-wide key (<see cref="Find"/>), and the stored hash rejects other keys without reading their strings.
/// A change copies only a small overlay of the changes made since the table was built (a removed key maps to -1
/// there), read first, whose owners are read from the credentials; once the overlay outgrows <see cref="Overlay.Limit"/>,
/// the change folds it into a new table. Readers of an older index are never disturbed. A credential's owner never
/// changes in place: a changed credential is written to a fresh slot, and its key maps there.
/// </summary>
internal sealed class CredentialIndex
{
    private const uint Fibonacci = 0x9E3779B9;

    private readonly Slot[] _slots;
    private readonly Dictionary<CredentialKey, int>? _overlay;

    private CredentialIndex(Slot[] slots, Dictionary<CredentialKey, int>? overlay, int count)
    {
        _slots = slots;
        _overlay = overlay;
        Count = count;
    }

    public CredentialIndex(int capacity) => _slots = new Slot[Math.Max(4, capacity + capacity / 3 + 1)];

    /// <summary>Adds the key unless present; false when present. The table never grows: its capacity is fixed at construction.</summary>
    public bool TryAdd(CredentialKey key, int index, int person)
    {
        if (_overlay is not null) throw new InvalidOperationException("A changed index is immutable; use Change.");
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (Count + 1 >= _slots.Length) throw new InvalidOperationException("The index is full.");
        if (!TryAdd(_slots, key, index, person)) return false;
        Count++;
        return true;
    }

    /// <summary>How many keys are present.</summary>
    public int Count { get; private set; }

    public bool TryGetValue(CredentialKey key, out int value) =>
        TryGetValue(key.Site, key.Kind, key.Value, key.Value.GetHashCode(), out value);

    /// <summary>
    /// The credential presented at a site and its owner: its key at that site first, then its key valid at every site (-1).
    /// <paramref name="credentials"/> (the snapshot's) names the owner of a credential changed since the table was built.
    /// </summary>
    public bool Find(int site, Model.CredentialKind kind, string value, CompiledCredential[] credentials, out int index, out int person)
    {
        var valueHash = value.GetHashCode();
        return Find(site, kind, value, valueHash, credentials, out index, out person)
            || Find(-1, kind, value, valueHash, credentials, out index, out person);
    }

    public bool ContainsKey(CredentialKey key) => TryGetValue(key, out _);

    public int this[CredentialKey key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException();

    public CredentialIndex With(CredentialKey key, int value, CompiledCredential[] credentials) => Change([(key, value)], credentials);

    public CredentialIndex Without(CredentialKey key, CompiledCredential[] credentials) => Change([(key, -1)], credentials);

    /// <summary>
    /// An index with each key set to its index, or removed where the index is -1; <paramref name="credentials"/> is the
    /// array of the snapshot this index will belong to, holding the changed credentials.
    /// </summary>
    public CredentialIndex Change(ReadOnlySpan<(CredentialKey Key, int Value)> changes, CompiledCredential[] credentials)
    {
        var (overlay, count) = Overlay.Apply(_overlay, changes, Count, key => InTable(key.Site, key.Kind, key.Value, key.Value.GetHashCode(), out _, out _));
        if (overlay.Count <= Overlay.Limit(count)) return new CredentialIndex(_slots, overlay, count);
        var folded = new Slot[Math.Max(4, count + count / 3 + 1)];
        foreach (ref readonly var slot in _slots.AsSpan())
            if (slot.IndexPlusOne != 0 && !overlay.ContainsKey(slot.Key)) TryAdd(folded, slot.Key, slot.IndexPlusOne - 1, slot.Person);
        foreach (var (key, value) in overlay)
            if (value >= 0) TryAdd(folded, key, value, credentials[value].Person);
        return new CredentialIndex(folded, null, count);
    }

    /// <summary>Every key with its index (for checks and diagnostics, not for hot paths).</summary>
    public IEnumerable<KeyValuePair<CredentialKey, int>> Entries()
    {
        foreach (var slot in _slots)
            if (slot.IndexPlusOne != 0 && (_overlay is null || !_overlay.ContainsKey(slot.Key))) yield return new(slot.Key, slot.IndexPlusOne - 1);
        if (_overlay is null) yield break;
        foreach (var entry in _overlay)
            if (entry.Value >= 0) yield return entry;
    }

    private bool TryGetValue(int site, Model.CredentialKind kind, string value, int valueHash, out int index)
    {
        if (_overlay is { } overlay && overlay.TryGetValue(new CredentialKey(site, kind, value), out index)) return index >= 0;
        return InTable(site, kind, value, valueHash, out index, out _);
    }

    private bool Find(int site, Model.CredentialKind kind, string value, int valueHash, CompiledCredential[] credentials, out int index, out int person)
    {
        if (_overlay is { } overlay && overlay.TryGetValue(new CredentialKey(site, kind, value), out index))
        {
            person = index >= 0 ? credentials[index].Person : -1;
            return index >= 0;
        }
        return InTable(site, kind, value, valueHash, out index, out person);
    }

    private bool InTable(int site, Model.CredentialKind kind, string value, int valueHash, out int index, out int person)
    {
        var slots = _slots;
        var hash = Hash(site, kind, valueHash);
        var i = Home(hash, (uint)slots.Length);
        while (true)
        {
            ref var slot = ref slots[i];
            if (slot.IndexPlusOne == 0)
            {
                index = person = -1;
                return false;
            }
            if (slot.Hash == hash && slot.Key.Site == site && slot.Key.Kind == kind && string.Equals(slot.Key.Value, value))
            {
                index = slot.IndexPlusOne - 1;
                person = slot.Person;
                return true;
            }
            if (++i == slots.Length) i = 0;
        }
    }

    private static bool TryAdd(Slot[] slots, CredentialKey key, int index, int person)
    {
        var hash = Hash(key.Site, key.Kind, key.Value.GetHashCode());
        var i = Home(hash, (uint)slots.Length);
        while (slots[i].IndexPlusOne != 0)
        {
            if (slots[i].Hash == hash && slots[i].Key == key) return false;
            if (++i == slots.Length) i = 0;
        }
        slots[i] = new Slot { Key = key, Hash = hash, IndexPlusOne = index + 1, Person = person };
        return true;
    }

    /// <summary>The value's (randomized) string hash with the site and kind folded in.</summary>
    private static uint Hash(int site, Model.CredentialKind kind, int valueHash) =>
        ((uint)valueHash ^ ((uint)(site + 1) * Fibonacci)) * Fibonacci ^ (uint)kind;

    /// <summary>The slot a key starts probing from: the hash scaled onto the table (no division).</summary>
    private static int Home(uint hash, uint length) => (int)((ulong)(hash * Fibonacci) * length >> 32);

    private struct Slot
    {
        public CredentialKey Key;
        public uint Hash;
        /// <summary>Index + 1; 0 marks an empty slot, so a fresh array is an empty table.</summary>
        public int IndexPlusOne;
        /// <summary>The owner's index, as the credential's record holds it.</summary>
        public int Person;
    }
}
