using System.Text.Json;
using Portier.Core.Decisions;
using Portier.Server.Features.Decisions;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Tests.Decisions;

/// <summary>The explain answer names each check and outcome as the JSON serializer spells enums, for every value.</summary>
public sealed class ExplainResponseTests
{
    [Fact]
    public void From_EveryCheckAndOutcome_NamedInSnakeCase()
    {
        var checks = Enum.GetValues<DecisionCheck>()
            .SelectMany(check => Enum.GetValues<CheckOutcome>().Select(outcome => new CheckResult(check, outcome, null, "why")))
            .ToList();

        var response = ExplainResponse.From(new DecisionExplanation(Decision.Deny(ReasonCode.NoMatchingRuleOrGrant), checks), DateTimeOffset.UnixEpoch);

        Assert.Equal(checks.Count, response.Checks.Count);
        for (var i = 0; i < checks.Count; i++)
        {
            Assert.Equal(JsonNamingPolicy.SnakeCaseLower.ConvertName(checks[i].Check.ToString()), response.Checks[i].Check);
            Assert.Equal(JsonNamingPolicy.SnakeCaseLower.ConvertName(checks[i].Outcome.ToString()), response.Checks[i].Outcome);
        }
        Assert.Equal("credential_revoked", SnakeCaseNames.Of(DecisionCheck.CredentialRevoked));
        Assert.Equal("not_applicable", SnakeCaseNames.Of(CheckOutcome.NotApplicable));
    }
}
