using System.Runtime.InteropServices;

namespace Portier.Core.Policy;

internal sealed partial class PolicyCompiler
{
    private sealed record QualificationArrays(
        Guid[] Ids, string[] Names, int[][] DoorRequired, int[] PersonStart, int[] Held, long[] HeldFrom, long[] HeldUntil);

    /// <summary>
    /// Qualifications interned to dense indexes (defined ones first, then ids only required or held); each door's
    /// requirement as the sorted union of its own and its scopes'; each person's held qualifications sorted by index,
    /// one per qualification (the one lasting longest).
    /// </summary>
    private QualificationArrays CompileQualifications(int[][] doorScopes)
    {
        var index = new Dictionary<Guid, int>();
        var names = new List<string>();
        foreach (var definition in _defs.Qualifications)
        {
            if (!index.TryAdd(definition.Id, index.Count)) throw new PolicyDefinitionException($"Duplicate qualification id {definition.Id}.");
            names.Add(definition.Name);
        }
        int Intern(Guid id)
        {
            if (index.TryGetValue(id, out var i)) return i;
            index.Add(id, index.Count);
            names.Add(id.ToString("D"));
            return index.Count - 1;
        }

        // Scopes' ids first, then doors', so undefined ids keep one order whichever doors use them.
        foreach (var id in _defs.Scopes.SelectMany(s => s.RequiredQualificationIds)) Intern(id);
        var doorRequired = new int[_defs.Doors.Count][];
        for (var d = 0; d < doorRequired.Length; d++) doorRequired[d] = RequiredQualifications(_defs.Doors[d], doorScopes[d], Intern);

        var people = _defs.People;
        var start = new int[people.Count + 1];
        var held = new List<(int Qualification, long From, long Until)>();
        for (var p = 0; p < people.Count; p++)
        {
            if (people[p].Qualifications.Count > 0) AddHeldQualifications(people[p], Intern, held);
            start[p + 1] = held.Count;
        }
        return new QualificationArrays([.. index.OrderBy(e => e.Value).Select(e => e.Key)], [.. names], doorRequired, start,
            [.. held.Select(h => h.Qualification)], [.. held.Select(h => h.From)], [.. held.Select(h => h.Until)]);
    }

    /// <summary>The sorted union of what the door and its scopes require, each id interned by <paramref name="intern"/>.</summary>
    internal int[] RequiredQualifications(DoorDefinition door, int[] scopes, Func<Guid, int> intern)
    {
        var required = door.RequiredQualificationIds.Select(intern).Concat(scopes.SelectMany(s => _defs.Scopes[s].RequiredQualificationIds.Select(intern)));
        return [.. required.Distinct().Order()];
    }

    /// <summary>
    /// Appends the person's held qualifications to <paramref name="held"/>, sorted by interned index, one per qualification
    /// (the one lasting longest; of equals, the first). A person holds few, so the run is searched and sorted in place.
    /// </summary>
    internal static void AddHeldQualifications(PersonDefinition person, Func<Guid, int> intern, List<(int Qualification, long From, long Until)> held)
    {
        var start = held.Count;
        foreach (var h in person.Qualifications)
        {
            var from = TicksOrMin(h.From);
            var until = TicksOrMax(h.Until);
            if (until <= from) throw new PolicyDefinitionException($"Person {person.Id} holds qualification {h.QualificationId} ending before it starts.");
            var q = intern(h.QualificationId);
            var run = CollectionsMarshal.AsSpan(held)[start..];
            var kept = Find(run, q);
            if (kept < 0) held.Add((q, from, until));
            else if (until > run[kept].Until) run[kept] = (q, from, until);
        }
        CollectionsMarshal.AsSpan(held)[start..].Sort(static (a, b) => a.Qualification.CompareTo(b.Qualification));
    }

    /// <summary>Where qualification <paramref name="q"/> sits in a person's run, or -1.</summary>
    private static int Find(Span<(int Qualification, long From, long Until)> run, int q)
    {
        for (var i = 0; i < run.Length; i++)
            if (run[i].Qualification == q) return i;
        return -1;
    }
}
