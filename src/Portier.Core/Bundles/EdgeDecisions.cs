using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Model;

namespace Portier.Core.Bundles;

/// <summary>
/// What a controller counted itself since it last decided with the server (see
/// <see cref="OfflineLiveFacts.CountLocally"/>): people in the door's zone and uses of the presented credential.
/// </summary>
public readonly record struct LocalCounts(int ZoneOccupancy, int CredentialUses)
{
    /// <summary>
    /// The presented credential's person in the door's zone as the controller saw them pass itself (unknown
    /// when it has not seen them): the zone's anti-passback is applied offline with it.
    /// </summary>
    public ZonePresence Presence { get; init; }

    /// <summary>At a two-person door, the person the controller itself last told to wait there, and since when (default: nobody).</summary>
    public TwoPersonWait Waiting { get; init; }
}

/// <summary>
/// A controller's own decision from its bundle: the server's decision code on the bundle's snapshot,
/// preceded by the revocation horizon and followed by the door's rule for live facts.
/// </summary>
public static class EdgeDecisions
{
    /// <summary>
    /// Decides a credential presented at <paramref name="door"/> at <paramref name="at"/> (the controller's
    /// clock, synchronised from the server), given when the controller last heard from the server.
    /// <paramref name="credentialKey"/> is the site's credential key learnt at pairing. A
    /// <paramref name="reader"/> of the door gives the passage its direction (an exit reader frees a
    /// place), as the server's scan path does; without one the door's own direction holds.
    /// </summary>
    public static Decision Decide(ControllerPolicy policy, BundleDoor door, ReadOnlySpan<byte> credentialKey,
        CredentialKind kind, string presented, Instant at, Instant lastHeardFromServer, LocalCounts counts, BundleReader? reader = null)
    {
        var direction = Passing(door, reader);
        if (at - lastHeardFromServer > policy.OfflineHorizon) return Decision.Deny(ReasonCode.OfflineHorizonPassed);
        if (CredentialHashing.HashPresented(credentialKey, kind, presented) is not { } hash)
            return Decision.Deny(CredentialHashing.CarriedOffline(kind) ? ReasonCode.InvalidCredential : ReasonCode.OfflineUnverifiable);

        // The controller itself is deciding, so it is online by the fact of asking.
        var facts = new LiveFacts(counts.ZoneOccupancy, at, counts.CredentialUses) { Presence = counts.Presence, Waiting = counts.Waiting };
        var decision = DecisionEngine.Decide(policy.Snapshot, DecisionRequest.Scan(kind, hash, door.Id, at, direction), facts);
        if (!decision.Allowed || door.OfflineLiveFacts != BundleNames.Of(OfflineLiveFacts.Refuse)) return decision;
        return DependsOnLiveFacts(policy, door, direction, kind, hash) ? Decision.Deny(ReasonCode.OfflineUnverifiable) : decision;
    }

    /// <summary>The direction a reader gives its passages (entry = in, exit = out); null = the door's own.</summary>
    public static DoorDirection? Passing(BundleDoor door, BundleReader? reader) => reader?.Direction switch
    {
        "entry" => DoorDirection.In,
        "exit" => DoorDirection.Out,
        null => null,
        _ => throw new FormatException($"Reader {reader.Id} of door {door.Id} has direction '{reader.Direction}'."),
    };

    /// <summary>
    /// Whether the attempt's outcome rests on a fact only the server knows: on entry, a zone capacity or an
    /// anti-passback that refuses (hard or timed: the person may have passed at another controller); or a use limit.
    /// </summary>
    private static bool DependsOnLiveFacts(ControllerPolicy policy, BundleDoor door, DoorDirection? direction, CredentialKind kind, string hash)
    {
        var zoneFact = door.ZoneId is { } zoneId
            && (direction ?? BundleNames.DirectionOf(door.Direction))?.EntersZone() == true
            && policy.Body.Zones!.Any(z => z.Id == zoneId
                && (z.Capacity.HasValue || BundleNames.PassbackOf(z).Mode is PassbackMode.Hard or PassbackMode.Timed));
        return zoneFact || policy.Snapshot.FindCredential(door.Id, kind, hash)?.MaxUses is not null;
    }
}
