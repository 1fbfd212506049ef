using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Decisions;

public sealed record PresentedCredential(CredentialKind Kind, string Value);

/// <summary>Where a phone says it is: WGS84 degrees and the reading's accuracy radius in metres.</summary>
public sealed record ReportedLocation(double Latitude, double Longitude, double AccuracyMeters)
{
    public static void Validate(ReportedLocation? location, string field, ValidationErrors errors)
    {
        if (location is null) return;
        errors.Range(location.Latitude, -90, 90, $"{field}.latitude");
        errors.Range(location.Longitude, -180, 180, $"{field}.longitude");
        // A fix of 0 m (or less) is not a measurement: no receiver is exact, and 0 would shrink the geofence check to the radius alone.
        errors.Require(location.AccuracyMeters is > 0 and <= 100_000, $"{field}.accuracyMeters", "Must be more than 0 and at most 100000.");
    }

    public GeoLocation ToGeo() => new(Latitude, Longitude, AccuracyMeters);
}

/// <summary>
/// A dry run: who (a person, or a presented credential, or with <see cref="Schedule"/> the door's own
/// auto-unlock schedule), which door, when (default now), and for an app unlock the phone's location
/// (omit it to simulate a phone without one).
/// </summary>
public sealed record ExplainRequest(
    Guid DoorId,
    Guid? PersonId = null,
    PresentedCredential? Credential = null,
    DateTimeOffset? At = null,
    bool AppUnlock = false,
    ReportedLocation? Location = null,
    bool Schedule = false) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(DoorId != Guid.Empty, "doorId", "Is required.");
        errors.Require((PersonId is not null ? 1 : 0) + (Credential is not null ? 1 : 0) + (Schedule ? 1 : 0) == 1, "personId",
            "Give exactly one of personId, credential and schedule.");
        if (Schedule) errors.Require(!AppUnlock, "appUnlock", "The schedule is not an app unlock.");
        if (Credential is not null) errors.NotBlank(Credential.Value, "credential.value");
        if (Location is not null) errors.Require(AppUnlock, "location", "A location only applies to an app unlock.");
        ReportedLocation.Validate(Location, "location", errors);
    }
}

public sealed record CheckResponse(string Check, string Outcome, string? Reason, string Detail);

public sealed record ExplainResponse(bool Allowed, string Reason, string Path, bool DoorHeldOpen, DateTimeOffset At, IReadOnlyList<CheckResponse> Checks)
{
    public static ExplainResponse From(DecisionExplanation explanation, DateTimeOffset at)
    {
        var checks = new CheckResponse[explanation.Checks.Count];
        for (var i = 0; i < checks.Length; i++)
        {
            var c = explanation.Checks[i];
            checks[i] = new CheckResponse(SnakeCaseNames.Of(c.Check), SnakeCaseNames.Of(c.Outcome), c.Failure?.ToCode(), c.Detail);
        }
        return new(explanation.Decision.Allowed, explanation.Decision.Reason.ToCode(), explanation.Decision.Path.ToCode(),
            explanation.Decision.DoorHeldOpen, at, checks);
    }
}

public sealed record PersonSummary(Guid Id, string Name, string PersonType, string? MembershipStatus);

public sealed record DoorSummary(Guid Id, string Name, Guid? ZoneId);
