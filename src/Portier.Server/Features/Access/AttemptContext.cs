using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Guessing;

namespace Portier.Server.Features.Access;

/// <summary>
/// Everything one attempt is decided on, loaded in the pipeline's first step: the door, the policy
/// snapshot, the credential's lookup key and the live facts read just before deciding.
/// </summary>
public sealed record AttemptContext(AccessAttempt Attempt, Door Door, Instant At, PolicySnapshot Snapshot, string? CredentialKey, DoorFacts Facts)
{
    /// <summary>The guessing limits' answer; a throttled attempt's credential was not looked up.</summary>
    public GuessVerdict Guard { get; init; }

    /// <summary>The engine's request for this attempt.</summary>
    public DecisionRequest Request => Attempt.Source switch
    {
        AttemptSource.AdminOverride => DecisionRequest.AdminOverride(Door.Id, At, Attempt.PersonId) with { Direction = Attempt.Direction },
        AttemptSource.Schedule => DecisionRequest.Schedule(Door.Id, At),
        AttemptSource.App when !Attempt.ChecksGeofence => DecisionRequest.ForPerson(Attempt.PersonId!.Value, Door.Id, At),
        AttemptSource.App => DecisionRequest.AppUnlock(Attempt.PersonId!.Value, Door.Id, At, Attempt.Location),
        AttemptSource.Reader or AttemptSource.Gate when CredentialKey is not null => DecisionRequest.Scan(Attempt.CredentialKind!.Value, CredentialKey, Door.Id, At, Attempt.Direction),
        _ => DecisionRequest.ForPerson(Attempt.PersonId ?? Guid.Empty, Door.Id, At),
    };

    /// <summary>Which way this passage goes for the zone behind the door: the reader's direction, else the door's.</summary>
    public DoorDirection Direction => Attempt.Direction ?? Door.Direction;

    /// <summary>Who passes: the presented credential's person, else the one the attempt names (the app's member, the person an administrator lets through).</summary>
    public Guid? PersonId => Credential?.PersonId ?? Attempt.PersonId;

    /// <summary>The credential the presented key matched, if any.</summary>
    public MatchedCredential? Credential => Facts.Credential;
}
