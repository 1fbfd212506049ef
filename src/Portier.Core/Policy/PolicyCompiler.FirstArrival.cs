using Portier.Core.Doors;

namespace Portier.Core.Policy;

internal sealed partial class PolicyCompiler
{
    private sealed record FirstArrivalArrays(FirstArrivalRule?[] Rules, ulong[]?[] Types, ulong[]?[] Tags, int[]?[] People, int[][] SiteDoors);

    /// <summary>Each gated door's group as bit sets and sorted person indexes, and per site its gated doors (most sites: none).</summary>
    private FirstArrivalArrays CompileFirstArrivals(GuidIndex personIndex, int[] doorSite)
    {
        var doors = _defs.Doors;
        var result = new FirstArrivalArrays(new FirstArrivalRule?[doors.Count], new ulong[]?[doors.Count], new ulong[]?[doors.Count],
            new int[]?[doors.Count], new int[_defs.Sites.Count][]);
        var gated = new List<int>[_defs.Sites.Count];
        for (var d = 0; d < doors.Count; d++)
        {
            if (doors[d].FirstArrival is not { } rule) continue;
            if (!Enum.IsDefined(rule.Scope)) throw new PolicyDefinitionException($"Door {doors[d].Id} has an unknown first-to-arrive scope {rule.Scope}.");
            result.Rules[d] = rule;
            var types = new ulong[Bits.Words(_types.Count)];
            foreach (var type in rule.PersonTypes) Bits.Set(types, 0, _types[type]);
            result.Types[d] = types;
            result.Tags[d] = TagSet(rule.Tags);
            // A listed person not known to the snapshot (deleted meanwhile) starts nothing.
            result.People[d] = [.. rule.PersonIds.Where(personIndex.ContainsKey).Select(id => personIndex[id]).Distinct().Order()];
            (gated[doorSite[d]] ??= []).Add(d);
        }
        for (var s = 0; s < gated.Length; s++) result.SiteDoors[s] = gated[s] is { } list ? [.. list] : [];
        return result;
    }
}
