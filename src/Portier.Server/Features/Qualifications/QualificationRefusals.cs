using NodaTime;
using NodaTime.Text;
using Portier.Core.Decisions;
using Portier.Core.Policy;

namespace Portier.Server.Features.Qualifications;

/// <summary>What a refused person is told beyond the reason code: which qualification the door needs, and when theirs expired.</summary>
public static class QualificationRefusals
{
    private static readonly InstantPattern Day = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm 'UTC'");

    /// <summary>Null unless <paramref name="reason"/> is a qualification refusal and the person still lacks the qualification at <paramref name="at"/>.</summary>
    public static string? Describe(ReasonCode reason, PolicySnapshot snapshot, Guid doorId, Guid personId, Instant at) =>
        reason is ReasonCode.QualificationMissing or ReasonCode.QualificationExpired && snapshot.QualificationShortfallAt(doorId, personId, at) is { } lacking
            ? lacking.ExpiredAt is { } expired
                ? $"Your {lacking.Name} qualification expired at {Day.Format(expired)}. Ask staff to renew it."
                : $"This door needs the {lacking.Name} qualification, which you do not hold. Ask staff about the training."
            : null;
}
