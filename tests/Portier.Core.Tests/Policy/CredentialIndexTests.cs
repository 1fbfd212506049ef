using Portier.Core.Model;

namespace Portier.Core.Tests.Policy;

public sealed class CredentialIndexTests
{
    [Fact]
    public void TryGetValue_EveryAddedKey_AnswersItsIndexAndNothingElse()
    {
        var keys = Keys(5_000, seed: 1);
        var index = new CredentialIndex(keys.Length);
        for (var i = 0; i < keys.Length; i++) Assert.True(index.TryAdd(keys[i], i, Owner(i)));

        Assert.Equal(keys.Length, index.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.True(index.TryGetValue(keys[i], out var found));
            Assert.Equal(i, found);
            // An equal value in another string object is the same key.
            Assert.True(index.TryGetValue(keys[i] with { Value = new string(keys[i].Value.AsSpan()) }, out found));
            Assert.Equal(i, found);
        }
        var added = keys.ToHashSet();
        foreach (var other in Keys(5_000, seed: 2).Where(k => !added.Contains(k)))
        {
            Assert.False(index.TryGetValue(other, out var missing));
            Assert.Equal(-1, missing);
        }
    }

    [Fact]
    public void TryGetValue_SameValueAtAnotherSiteOrOfAnotherKind_IsAnotherKey()
    {
        var index = new CredentialIndex(2);
        Assert.True(index.TryAdd(new CredentialKey(0, CredentialKind.Card, "1234"), 0, 0));
        Assert.True(index.TryAdd(new CredentialKey(1, CredentialKind.Card, "1234"), 1, 0));

        Assert.Equal(0, index[new CredentialKey(0, CredentialKind.Card, "1234")]);
        Assert.Equal(1, index[new CredentialKey(1, CredentialKind.Card, "1234")]);
        Assert.False(index.ContainsKey(new CredentialKey(-1, CredentialKind.Card, "1234")));
        Assert.False(index.ContainsKey(new CredentialKey(0, CredentialKind.Pin, "1234")));
        Assert.False(index.TryAdd(new CredentialKey(0, CredentialKind.Card, "1234"), 2, 0));
    }

    [Fact]
    public void Find_KeyAtTheSiteFirst_ThenTheKeyValidAtEverySite_WithItsOwner()
    {
        var credentials = Credentials(3);
        var index = new CredentialIndex(3);
        index.TryAdd(new CredentialKey(3, CredentialKind.Card, "A"), 0, Owner(0));
        index.TryAdd(new CredentialKey(-1, CredentialKind.Card, "A"), 1, Owner(1));
        index.TryAdd(new CredentialKey(-1, CredentialKind.Card, "B"), 2, Owner(2));

        Assert.True(index.Find(3, CredentialKind.Card, "A", credentials, out var atSite, out var owner));
        Assert.Equal((0, Owner(0)), (atSite, owner));
        Assert.True(index.Find(4, CredentialKind.Card, "A", credentials, out var everywhere, out owner));
        Assert.Equal((1, Owner(1)), (everywhere, owner));
        Assert.True(index.Find(3, CredentialKind.Card, "B", credentials, out var only, out owner));
        Assert.Equal((2, Owner(2)), (only, owner));
        Assert.False(index.Find(3, CredentialKind.Card, "C", credentials, out _, out _));
        Assert.False(index.Find(3, CredentialKind.Qr, "A", credentials, out _, out _));
    }

    [Fact]
    public void Change_ManyAddsMovesAndRemovals_AnswersAsADictionaryAndLeavesEarlierIndexesAlone()
    {
        var keys = Keys(2_000, seed: 3);
        var index = new CredentialIndex(1_000);
        var credentials = Credentials(10_000);
        var expected = new Dictionary<CredentialKey, int>();
        for (var i = 0; i < 1_000; i++)
        {
            index.TryAdd(keys[i], i, Owner(i));
            expected[keys[i]] = i;
        }
        var first = index;
        var random = new Random(4);
        // Enough changes that the overlay is folded into a new table several times.
        for (var step = 0; step < 3_000; step++)
        {
            var key = keys[random.Next(keys.Length)];
            var value = random.Next(4) == 0 ? -1 : random.Next(10_000);
            index = random.Next(2) == 0 ? index.Change([(key, value)], credentials)
                : value < 0 ? index.Without(key, credentials) : index.With(key, value, credentials);
            if (value < 0) expected.Remove(key);
            else expected[key] = value;
        }

        Assert.Equal(expected.Count, index.Count);
        Assert.Equal(expected.OrderBy(e => e.Value).ThenBy(e => e.Key.Value, StringComparer.Ordinal),
            index.Entries().OrderBy(e => e.Value).ThenBy(e => e.Key.Value, StringComparer.Ordinal));
        foreach (var key in keys)
        {
            Assert.Equal(expected.TryGetValue(key, out var want), index.TryGetValue(key, out var got));
            if (!expected.ContainsKey(key)) continue;
            Assert.Equal(want, got);
            Assert.True(index.Find(key.Site, key.Kind, key.Value, credentials, out got, out var owner));
            Assert.Equal((want, Owner(want)), (got, owner));
        }
        Assert.Equal(1_000, first.Count);
        for (var i = 0; i < keys.Length; i++) Assert.Equal(i < 1_000, first.TryGetValue(keys[i], out var kept) && kept == i);
    }

    [Fact]
    public void TryAdd_ChangedIndex_Throws() =>
        Assert.Throws<InvalidOperationException>(() =>
            new CredentialIndex(1).With(new CredentialKey(-1, CredentialKind.Card, "1"), 0, Credentials(1)).TryAdd(new CredentialKey(-1, CredentialKind.Card, "2"), 1, 0));

    /// <summary>The owner the tests give credential <paramref name="c"/>.</summary>
    private static int Owner(int c) => c * 7 % 1_009;

    private static CompiledCredential[] Credentials(int count) =>
        [.. Enumerable.Range(0, count).Select(c => new CompiledCredential(Owner(c), false, long.MinValue, long.MaxValue, -1, null))];

    /// <summary>Distinct keys: card numbers, a few PINs, spread over two sites and the every-site -1.</summary>
    private static CredentialKey[] Keys(int count, int seed)
    {
        var random = new Random(seed);
        var keys = new HashSet<CredentialKey>();
        while (keys.Count < count)
        {
            var kind = random.Next(8) == 0 ? CredentialKind.Pin : CredentialKind.Card;
            var value = kind == CredentialKind.Pin ? random.Next(10_000).ToString("D4") : random.NextInt64(1L << 40).ToString("X");
            keys.Add(new CredentialKey(random.Next(3) - 1, kind, value));
        }
        return [.. keys];
    }
}
