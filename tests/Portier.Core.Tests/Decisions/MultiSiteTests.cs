using Portier.Core.Model;
using static Portier.Core.Tests.Fixture;

namespace Portier.Core.Tests.Decisions;

/// <summary>People and credentials that belong to one site are strangers at every other site.</summary>
public class MultiSiteTests
{
    private static readonly Guid OtherSite = Id(50);
    private static readonly Guid OtherSiteDoor = Id(51);
    private static readonly Guid OtherPerson = Id(52);

    private static PolicyDefinitions TwoSites() => Site() with
    {
        Sites = [.. Site().Sites, new SiteDefinition(OtherSite, "Europe/Berlin", MemberCurrent())],
        Doors = [.. Site().Doors, new DoorDefinition(OtherSiteDoor, OtherSite)],
        People = [Member() with { SiteId = SiteId }, new PersonDefinition(OtherPerson, "Member", "Current") { SiteId = OtherSite }],
        Credentials =
        [
            new CredentialDefinition(Id(60), PersonId, CredentialKind.Card, "0A1B2C"),
            new CredentialDefinition(Id(61), OtherPerson, CredentialKind.Card, "0A1B2C") { Revoked = true },
        ],
    };

    [Fact]
    public void Decide_PersonOfAnotherSite_DeniesWithUnknownPerson()
    {
        var snapshot = PolicySnapshot.Compile(TwoSites());
        AssertDenied(Decide(snapshot, DecisionRequest.ForPerson(PersonId, OtherSiteDoor, MondayNoon)), ReasonCode.UnknownPerson);
        AssertAllowed(Decide(snapshot, DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon)), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_SameCardNumberAtTwoSites_ResolvesToEachSitesOwnCredential()
    {
        var snapshot = PolicySnapshot.Compile(TwoSites());
        AssertAllowed(Decide(snapshot, DecisionRequest.Scan(CredentialKind.Card, "0A1B2C", DoorId, MondayNoon)), DecisionPath.Rule);
        AssertDenied(Decide(snapshot, DecisionRequest.Scan(CredentialKind.Card, "0A1B2C", OtherSiteDoor, MondayNoon)), ReasonCode.CredentialRevoked);
    }

    [Fact]
    public void WhoCanPass_ListsOnlyTheDoorsOwnSitesPeople()
    {
        var snapshot = PolicySnapshot.Compile(TwoSites());
        Assert.Equal([OtherPerson], AccessReview.WhoCanPass(snapshot, OtherSiteDoor, MondayNoon));
        Assert.Equal([PersonId], AccessReview.WhoCanPass(snapshot, DoorId, MondayNoon));
    }
}
