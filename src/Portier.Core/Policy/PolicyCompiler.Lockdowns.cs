namespace Portier.Core.Policy;

internal sealed partial class PolicyCompiler
{
    private sealed record LockdownArrays(int[] DoorPlan, Guid[] Ids, LockdownKind[] Kinds, ulong[][] Types, ulong[][] Tags, int[][] People);

    /// <summary>Each active plan's responders as bit sets, and for every door the plan that governs it (-1 = none).</summary>
    private LockdownArrays CompileLockdowns(GuidIndex personIndex, int[] doorSite, int[][] doorScopes)
    {
        var plans = _defs.Lockdowns;
        var result = new LockdownArrays(new int[doorSite.Length], new Guid[plans.Count], new LockdownKind[plans.Count],
            new ulong[plans.Count][], new ulong[plans.Count][], new int[plans.Count][]);
        Array.Fill(result.DoorPlan, -1);
        for (var p = 0; p < plans.Count; p++)
        {
            var plan = plans[p];
            if (!Enum.IsDefined(plan.Kind)) throw new PolicyDefinitionException($"Plan {plan.Id} has an unknown kind {plan.Kind}.");
            var site = Resolve(_siteIndex, plan.SiteId, "site", plan.Id);
            var doors = ResolveAll(_doorIndex, plan.DoorIds, "door", plan.Id);
            var scopes = ResolveAll(_scopeIndex, plan.ScopeIds, "scope", plan.Id);
            result.Ids[p] = plan.Id;
            result.Kinds[p] = plan.Kind;
            var types = new ulong[Bits.Words(_types.Count)];
            foreach (var type in plan.ResponderPersonTypes) Bits.Set(types, 0, _types[type]);
            result.Types[p] = types;
            result.Tags[p] = TagSet(plan.ResponderTags);
            result.People[p] = [.. plan.ResponderPersonIds.Where(personIndex.ContainsKey).Select(id => personIndex[id]).Distinct().Order()];

            for (var d = 0; d < doorSite.Length; d++)
            {
                if (doorSite[d] != site) continue;
                var covered = plan.SiteWide || Array.BinarySearch(doors, d) >= 0 || doorScopes[d].Any(s => Array.BinarySearch(scopes, s) >= 0);
                if (covered && (result.DoorPlan[d] < 0 || plan.Outranks(plans[result.DoorPlan[d]]))) result.DoorPlan[d] = p;
            }
        }
        return result;
    }
}
