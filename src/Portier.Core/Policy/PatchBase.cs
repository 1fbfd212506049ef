namespace Portier.Core.Policy;

/// <summary>
/// What a compiled snapshot keeps so that one person, credential, grant or door can be compiled against it
/// later with the same compiler: the interned values, the site, scope and zone indexes and the definitions
/// a change to a single entity never touches. Shared, never mutated, by every snapshot patched from it.
/// </summary>
internal sealed class PatchBase
{
    public required PolicyDefinitions Wide { get; init; }
    public required Dictionary<string, int> Types { get; init; }
    public required Dictionary<string, int> Statuses { get; init; }
    public required Dictionary<string, int> Tags { get; init; }
    public required GuidIndex SiteIndex { get; init; }
    public required GuidIndex ScopeIndex { get; init; }
    public required GuidIndex ZoneIndex { get; init; }
    public required Dictionary<Guid, int> QualificationIndex { get; init; }
    /// <summary>People named by id in a plan's responders or a first-to-arrive group: adding or removing one changes those lists.</summary>
    public required HashSet<Guid> ListedPeople { get; init; }

    public static PatchBase Of(PolicyDefinitions defs, Dictionary<string, int> types, Dictionary<string, int> statuses,
        Dictionary<string, int> tags, GuidIndex sites, GuidIndex scopes, GuidIndex zones, Guid[] qualifications) => new()
    {
        Wide = defs with { People = [], Grants = [], Credentials = [], Doors = [] },
        Types = types,
        Statuses = statuses,
        Tags = tags,
        SiteIndex = sites,
        ScopeIndex = scopes,
        ZoneIndex = zones,
        QualificationIndex = qualifications.Select((id, i) => (id, i)).ToDictionary(e => e.id, e => e.i),
        ListedPeople = [.. defs.Lockdowns.SelectMany(l => l.ResponderPersonIds)
            .Concat(defs.Doors.SelectMany(d => d.FirstArrival?.PersonIds ?? []))],
    };
}

/// <summary>
/// The used length of a family of arrays that may have room beyond it. Snapshots patched one from another share
/// the arrays; only the newest may append in place, into slots no older snapshot reads. Claiming is atomic, so a
/// second patch of the same snapshot copies instead.
/// </summary>
internal sealed class Slots(int used)
{
    private int _claimed = used;

    /// <summary>Claims <paramref name="count"/> slots after <paramref name="used"/> when they fit in <paramref name="capacity"/> and nobody claimed them.</summary>
    public bool TryClaim(int used, int count, int capacity) =>
        used + count <= capacity && Interlocked.CompareExchange(ref _claimed, used + count, used) == used;
}
