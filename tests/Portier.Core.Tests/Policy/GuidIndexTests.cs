namespace Portier.Core.Tests.Policy;

public sealed class GuidIndexTests
{
    public static TheoryData<string> IdKinds => ["random", "sequential", "version7"];

    [Theory]
    [MemberData(nameof(IdKinds))]
    public void TryGetValue_EveryAddedId_AnswersItsIndexAndNothingElse(string kind)
    {
        var ids = Ids(kind, 5_000, seed: 1);
        var index = new GuidIndex(ids.Length);
        for (var i = 0; i < ids.Length; i++) Assert.True(index.TryAdd(ids[i], i));

        Assert.Equal(ids.Length, index.Count);
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(index.TryGetValue(ids[i], out var found));
            Assert.Equal(i, found);
        }
        var added = ids.ToHashSet();
        foreach (var other in Ids(kind, 5_000, seed: 2).Where(id => !added.Contains(id)))
        {
            Assert.False(index.TryGetValue(other, out var missing));
            Assert.Equal(-1, missing);
            Assert.False(index.ContainsKey(other));
        }
    }

    [Fact]
    public void TryAdd_IdAlreadyPresent_KeepsTheFirstIndex()
    {
        var index = new GuidIndex(2);
        Assert.True(index.TryAdd(Id(7), 0));
        Assert.False(index.TryAdd(Id(7), 1));
        Assert.Equal(0, index[Id(7)]);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Indexer_UnknownId_Throws() =>
        Assert.Throws<KeyNotFoundException>(() => new GuidIndex(1)[Id(1)]);

    [Fact]
    public void TryGetValue_EmptyIndex_FindsNothing() =>
        Assert.False(new GuidIndex(0).TryGetValue(Guid.Empty, out _));

    [Theory]
    [MemberData(nameof(IdKinds))]
    public void Change_ManyAddsMovesAndRemovals_AnswersAsADictionaryAndLeavesEarlierIndexesAlone(string kind)
    {
        var ids = Ids(kind, 2_000, seed: 3);
        var index = new GuidIndex(1_000);
        var expected = new Dictionary<Guid, int>();
        for (var i = 0; i < 1_000; i++)
        {
            index.TryAdd(ids[i], i);
            expected[ids[i]] = i;
        }
        var first = index;
        var random = new Random(4);
        // Enough changes that the overlay is folded into a new table several times.
        for (var step = 0; step < 3_000; step++)
        {
            var id = ids[random.Next(ids.Length)];
            var value = random.Next(4) == 0 ? -1 : random.Next(10_000);
            index = random.Next(2) == 0 ? index.Change([(id, value)]) : value < 0 ? index.Without(id) : index.With(id, value);
            if (value < 0) expected.Remove(id);
            else expected[id] = value;
        }

        Assert.Equal(expected.Count, index.Count);
        foreach (var id in ids)
        {
            Assert.Equal(expected.TryGetValue(id, out var want), index.TryGetValue(id, out var got));
            if (expected.ContainsKey(id)) Assert.Equal(want, got);
        }
        Assert.Equal(1_000, first.Count);
        for (var i = 0; i < ids.Length; i++) Assert.Equal(i < 1_000, first.TryGetValue(ids[i], out var kept) && kept == i);
    }

    [Fact]
    public void TryAdd_ChangedIndex_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new GuidIndex(1).With(Id(1), 0).TryAdd(Id(2), 1));

    private static Guid[] Ids(string kind, int count, int seed)
    {
        var random = new Random(seed);
        return kind switch
        {
            // Ids that differ only in their first four bytes, as the tests' and benchmarks' fixtures make them.
            "sequential" => [.. Enumerable.Range(seed * count, count).Select(Id)],
            "version7" => [.. Enumerable.Range(0, count).Select(i => Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(1_735_689_600_000L + i)))],
            _ => [.. Enumerable.Range(0, count).Select(_ => { var b = new byte[16]; random.NextBytes(b); return new Guid(b); })],
        };
    }
}
