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
