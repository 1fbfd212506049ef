namespace Portier.Core.Policy;

internal static partial class PolicyPatcher
{
    /// <summary>One grant of a person's new run: an existing slot to copy, or (slot -1) the newly compiled grant.</summary>
    private readonly record struct GrantSource(int Slot, Guid Id);

    private static PolicySnapshot ChangeGrant(PolicySnapshot s, GrantDefinition grant)
    {
        var compiler = Compiler(s);
        var owner = PolicyCompiler.ResolvePerson(s.PersonIndex, grant.PersonId, grant.Id);
        var compiled = compiler.CompileGrant(grant);
        var old = s.GrantById!.TryGetValue(grant.Id, out var slot) ? slot : -1;
        var runs = new List<(int Person, List<GrantSource> Run)>();
        var run = RunOf(s, owner, except: -1);
        var at = run.FindIndex(g => g.Slot == old);
        if (old >= 0 && at >= 0) run[at] = new GrantSource(-1, grant.Id);
        else run.Add(new GrantSource(-1, grant.Id));
        run.Sort((a, b) => a.Id.CompareTo(b.Id));
        runs.Add((owner, run));
        if (old >= 0 && s.GrantPerson![old] != owner) runs.Add((s.GrantPerson[old], RunOf(s, s.GrantPerson[old], except: old)));
        return Relocate(s, runs, compiled, removed: null) with { GrantCount = s.GrantCount + (old < 0 ? 1 : 0) };
    }

    private static PolicySnapshot RemoveGrant(PolicySnapshot s, Guid grantId)
    {
        if (!s.GrantById!.TryGetValue(grantId, out var old)) return s;
        var owner = s.GrantPerson![old];
        return Relocate(s, [(owner, RunOf(s, owner, except: old))], default, removed: grantId) with { GrantCount = s.GrantCount - 1 };
    }

    /// <summary>
    /// Writes each person's new run of grants to fresh slots at the end of the grant arrays and points the person and
    /// the grant ids there; the old slots are left for older snapshots. <paramref name="compiled"/> fills the new grant's slot.
    /// </summary>
    private static PolicySnapshot Relocate(PolicySnapshot s, List<(int Person, List<GrantSource> Run)> runs, CompiledGrant compiled, Guid? removed)
    {
        var n = s.GrantsUsed;
        var total = runs.Sum(r => r.Run.Count);
        var inPlace = s.GrantSlots.TryClaim(n, total, s.GrantIds.Length);
        var capacity = inPlace ? s.GrantIds.Length : Grown(n + total);
        var ids = Room(s.GrantIds, n, capacity, inPlace);
        var person = Room(s.GrantPerson!, n, capacity, inPlace);
        var grants = Room(s.Grants, n, capacity, inPlace);
        var people = s.People;
        var moves = new List<(Guid, int)>(total + 1);
        var next = n;
        foreach (var (owner, run) in runs)
        {
            var record = people[owner];
            record.GrantStart = next;
            foreach (var source in run)
            {
                ids[next] = source.Id;
                person[next] = owner;
                grants[next] = source.Slot < 0 ? compiled : s.Grants[source.Slot];
                moves.Add((source.Id, next++));
            }
            record.GrantEnd = next;
            people = people.With(owner, record);
        }
        if (removed is { } id) moves.Add((id, -1));
        var owners = new (Guid, int)[runs.Count];
        for (var i = 0; i < runs.Count; i++) owners[i] = (s.PersonIds[runs[i].Person], runs[i].Person);
        return s with
        {
            GrantIds = ids,
            GrantPerson = person,
            Grants = grants,
            People = people,
            PersonIndex = s.PersonIndex.Change(owners, people),
            GrantById = s.GrantById!.Change([.. moves]),
            GrantsUsed = next,
            GrantSlots = inPlace ? s.GrantSlots : new Slots(next),
        };
    }

    private static List<GrantSource> RunOf(PolicySnapshot s, int person, int except)
    {
        ref readonly var who = ref s.People[person];
        var run = new List<GrantSource>(who.GrantEnd - who.GrantStart + 1);
        for (var g = who.GrantStart; g < who.GrantEnd; g++)
            if (g != except) run.Add(new GrantSource(g, s.GrantIds[g]));
        return run;
    }
}
