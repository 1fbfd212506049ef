using NodaTime;

namespace Portier.Core.Doors;

/// <summary>Where a group member's grant must happen to start a gated door's day: at that door, or at any door of its site.</summary>
public enum FirstArrivalScope { Door, Site }

/// <summary>
/// First-to-arrive: a door's auto-unlock windows latch it only once a member of the named group (a person
/// type in <see cref="PersonTypes"/>, a tag in <see cref="Tags"/>, or a person listed in <see cref="PersonIds"/>)
/// has been granted, on the site's current local date, at the door (<see cref="FirstArrivalScope.Door"/>) or at
/// any door of its site (<see cref="FirstArrivalScope.Site"/>). The day runs from local midnight to the next
/// (as NodaTime's start of day, so a midnight skipped by DST starts the day at the jump): yesterday's arrival
/// never starts today. The calendar still says which windows there are; this says whether they have started.
/// </summary>
public sealed record FirstArrivalRule(FirstArrivalScope Scope)
{
    public IReadOnlyList<string> PersonTypes { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<Guid> PersonIds { get; init; } = [];

    /// <summary>The first instant of the local day containing <paramref name="at"/>: arrivals before it belong to an earlier day.</summary>
    public static Instant DayStart(Instant at, DateTimeZone zone) => zone.AtStartOfDay(at.InZone(zone).Date).ToInstant();

    /// <summary>The first instant of the next local day: where a started day ends and the door waits again.</summary>
    public static Instant NextDayStart(Instant at, DateTimeZone zone) => zone.AtStartOfDay(at.InZone(zone).Date.PlusDays(1)).ToInstant();

    /// <summary>The group and scope in words, for the explainer and the console ("person type staff or tag keyholder, at this door").</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (PersonTypes.Count > 0) parts.Add((PersonTypes.Count == 1 ? "person type " : "person types ") + string.Join(", ", PersonTypes));
        if (Tags.Count > 0) parts.Add((Tags.Count == 1 ? "tag " : "tags ") + string.Join(", ", Tags));
        if (PersonIds.Count > 0) parts.Add(PersonIds.Count == 1 ? "1 listed person" : $"{PersonIds.Count} listed people");
        var group = parts.Count == 0 ? "nobody" : string.Join(" or ", parts);
        return group + (Scope == FirstArrivalScope.Door ? ", at this door" : ", at any door of the site");
    }
}

/// <summary>The grant that started a gated door's day: who, at which door, when.</summary>
public readonly record struct FirstArrival(Guid PersonId, Guid DoorId, Instant At);
