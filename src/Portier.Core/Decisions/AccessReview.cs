using NodaTime;
using Portier.Core.Policy;

namespace Portier.Core.Decisions;

/// <summary>
/// Access-review queries over a snapshot. They answer for the policy alone: each pair is decided
/// as a request by person id with no geofence, an empty zone and an online controller, so live
/// conditions never hide a standing permission. Kill switch, blocklist, door blocks, maintenance,
/// hours, grants and zone ticket types all apply.
/// </summary>
public static class AccessReview
{
    /// <summary>The people who could pass <paramref name="doorId"/> at <paramref name="at"/>, in snapshot order; empty for an unknown door.</summary>
    public static IReadOnlyList<Guid> WhoCanPass(PolicySnapshot snapshot, Guid doorId, Instant at) =>
        snapshot.ContainsDoor(doorId) ? Passing(snapshot, snapshot.LivePersonIds(), doorId, candidatesArePeople: true, at) : [];

    /// <summary>The doors <paramref name="personId"/> could pass at <paramref name="at"/>, in snapshot order; empty for an unknown person.</summary>
    public static IReadOnlyList<Guid> DoorsFor(PolicySnapshot snapshot, Guid personId, Instant at) =>
        snapshot.ContainsPerson(personId) ? Passing(snapshot, snapshot.DoorIds, personId, candidatesArePeople: false, at) : [];

    private static List<Guid> Passing(PolicySnapshot snapshot, IEnumerable<Guid> candidates, Guid other, bool candidatesArePeople, Instant at)
    {
        var result = new List<Guid>();
        var facts = LiveFacts.OnlineAt(at);
        foreach (var candidate in candidates)
        {
            var request = candidatesArePeople
                ? DecisionRequest.ForPerson(candidate, other, at)
                : DecisionRequest.ForPerson(other, candidate, at);
            if (DecisionEngine.Decide(snapshot, request, facts).Allowed) result.Add(candidate);
        }
        return result;
    }
}
