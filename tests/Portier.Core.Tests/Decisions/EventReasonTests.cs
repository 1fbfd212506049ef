using Portier.Core.Decisions;

namespace Portier.Core.Tests.Decisions;

public sealed class EventReasonTests
{
    [Fact]
    public void Parse_EveryReasonAndOutcomeCode_RoundTrips_AndNoCodeIsShared()
    {
        var reasons = Enum.GetValues<ReasonCode>().Select(EventReason.Of).ToList();
        var outcomes = Enum.GetValues<ActuationOutcome>().Select(EventReason.Of).ToList();

        foreach (var reason in reasons.Concat(outcomes)) Assert.Equal(reason, EventReason.Parse(reason.ToCode()));
        Assert.Equal(reasons.Count + outcomes.Count, reasons.Concat(outcomes).Select(r => r.ToCode()).Distinct(StringComparer.Ordinal).Count());
        Assert.All(reasons, r => Assert.Null(r.Outcome));
        Assert.All(outcomes, r => Assert.Null(r.Decision));
    }

    [Fact]
    public void Parse_AFreeString_IsRefused()
    {
        Assert.False(EventReason.TryParse("admin_said_so", out _));
        Assert.Throws<FormatException>(() => EventReason.Parse("admin_said_so"));
    }

    [Fact]
    public void ParsePath_EveryPathCode_RoundTrips()
    {
        foreach (var path in Enum.GetValues<DecisionPath>()) Assert.Equal(path, ReasonCodes.ParsePath(path.ToCode()));
        Assert.Throws<FormatException>(() => ReasonCodes.ParsePath("backdoor"));
    }
}
