namespace Portier.Core.Tests.Policy;

public sealed class PersonIndexTests
{
    [Fact]
    public void Find_EveryPerson_AnswersTheirIndexAndRecord_AndNothingForOthers()
    {
        var ids = Ids(5_000, seed: 1);
        var people = Pages(Records(ids.Length, seed: 1));
        var index = PersonIndex.Of(ids, people, ids.Length);

        Assert.Equal(ids.Length, index.Count);
        for (var p = 0; p < ids.Length; p++)
        {
            ref readonly var found = ref index.Find(ids[p], people, out var at);
            Assert.Equal(p, at);
            Assert.Equal(people[p], found);
            Assert.True(index.TryGetValue(ids[p], out at));
            Assert.Equal(p, at);
        }
        foreach (var other in Ids(1_000, seed: 2))
        {
            Assert.True(System.Runtime.CompilerServices.Unsafe.IsNullRef(in index.Find(other, people, out var missing)));
            Assert.Equal(-1, missing);
            Assert.False(index.ContainsKey(other));
        }
    }

    [Fact]
    public void Of_RepeatedId_Throws()
    {
        var id = Guid.CreateVersion7();
        Assert.Throws<ArgumentException>(() => PersonIndex.Of([id, id], new PersonPages(2), 2));
    }

    [Fact]
    public void Change_ManyRewritesAddsAndRemovals_AnswersTheCurrentRecordsAndLeavesEarlierIndexesAlone()
    {
        var ids = Ids(2_000, seed: 3);
        var records = Records(1_000, seed: 3);
        var people = Pages(records);
        var index = PersonIndex.Of(ids, people, 1_000);
        var first = index;
        var firstPeople = people;
        var expected = Enumerable.Range(0, 1_000).ToDictionary(p => ids[p]);
        var random = new Random(4);
        // As a patch does: each change writes a record (in a copy or a fresh slot) and names the person; enough changes
        // that the overlay is folded into a new table several times.
        for (var step = 0; step < 3_000; step++)
        {
            var id = ids[random.Next(ids.Length)];
            if (random.Next(4) == 0)
            {
                index = index.Without(id, people);
                expected.Remove(id);
                continue;
            }
            var slot = expected.TryGetValue(id, out var current) && random.Next(2) == 0 ? current : records.Length;
            records = slot < records.Length ? [.. records] : [.. records, default];
            records[slot] = Records(1, seed: step)[0];
            people = Pages(records);
            index = random.Next(2) == 0 ? index.With(id, slot, people) : index.Change([(id, slot)], people);
            expected[id] = slot;
        }

        Assert.Equal(expected.Count, index.Count);
        foreach (var id in ids)
        {
            ref readonly var found = ref index.Find(id, people, out var at);
            Assert.Equal(expected.TryGetValue(id, out var want) ? want : -1, at);
            if (at >= 0) Assert.Equal(people[at], found);
        }
        Assert.Equal(1_000, first.Count);
        for (var p = 0; p < 1_000; p++) Assert.Equal(firstPeople[p], first.Find(ids[p], firstPeople, out _));
    }

    private static PersonPages Pages(CompiledPerson[] records)
    {
        var pages = new PersonPages(records.Length);
        for (var p = 0; p < records.Length; p++) pages[p] = records[p];
        return pages;
    }

    private static Guid[] Ids(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => { var b = new byte[16]; random.NextBytes(b); return new Guid(b); })];
    }

    private static CompiledPerson[] Records(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => new CompiledPerson
        {
            Tags = (ulong)random.NextInt64(),
            TypeStatus = random.Next(24),
            Type = random.Next(6),
            Site = random.Next(3) - 1,
            GrantStart = random.Next(100),
            GrantEnd = 100 + random.Next(3),
            Enabled = random.Next(2) == 0,
            Blocklisted = random.Next(9) == 0,
        })];
    }
}
