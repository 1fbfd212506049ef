namespace Portier.Core.Policy;

/// <summary>
/// What an active plan does to its doors: <see cref="Lockdown"/> refuses everyone but the plan's
/// responders (egress stays free), <see cref="Evacuation"/> releases the doors (held open).
/// </summary>
public enum LockdownKind { Lockdown, Evacuation }

/// <summary>
/// A lockdown or evacuation plan that is active now (plans that are not started are not part of the
/// policy). It covers the whole site (<see cref="SiteWide"/>), the doors of <see cref="ScopeIds"/> and
/// the listed <see cref="DoorIds"/>. Responders pass a lockdown when their person type is in
/// <see cref="ResponderPersonTypes"/>, one of their tags is in <see cref="ResponderTags"/>, or they are
/// listed in <see cref="ResponderPersonIds"/> (a responder not known to the snapshot is ignored);
/// responders still need their ordinary access (rules, grants) to open a door.
/// When several active plans cover one door, the highest <see cref="Rank"/> wins; at an equal rank an
/// evacuation wins over a lockdown (nobody is trapped by a tie), then the smallest id.
/// </summary>
public sealed record LockdownDefinition(Guid Id, Guid SiteId, LockdownKind Kind, int Rank)
{
    public bool SiteWide { get; init; }
    public IReadOnlyList<Guid> ScopeIds { get; init; } = [];
    public IReadOnlyList<Guid> DoorIds { get; init; } = [];
    public IReadOnlyList<string> ResponderPersonTypes { get; init; } = [];
    public IReadOnlyList<string> ResponderTags { get; init; } = [];
    public IReadOnlyList<Guid> ResponderPersonIds { get; init; } = [];

    /// <summary>Whether this plan outranks <paramref name="other"/> on a door both cover.</summary>
    public bool Outranks(LockdownDefinition other) =>
        Rank != other.Rank ? Rank > other.Rank
        : Kind != other.Kind ? Kind == LockdownKind.Evacuation
        : Id.CompareTo(other.Id) < 0;
}

/// <summary>The active plan that governs a door: which plan, and what it does.</summary>
public readonly record struct DoorLockdown(Guid PlanId, LockdownKind Kind);
