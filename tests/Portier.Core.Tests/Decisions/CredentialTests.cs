namespace Portier.Core.Tests.Decisions;

public class CredentialTests
{
    private static readonly CredentialDefinition Card = new(Id(200), PersonId, CredentialKind.Card, "04A1B2C3");

    private static Decision Scan(CredentialDefinition credential, Instant at, string? value = null,
        CredentialKind? kind = null, int uses = 0, Guid? door = null, PolicyDefinitions? defs = null)
    {
        var snapshot = PolicySnapshot.Compile((defs ?? Site()) with { Credentials = [credential] });
        var request = DecisionRequest.Scan(kind ?? credential.Kind, value ?? credential.Value, door ?? DoorId, at);
        return Decide(snapshot, request, new LiveFacts(0, at, uses));
    }

    [Fact]
    public void Decide_KnownCard_AllowedForItsPerson() => AssertAllowed(Scan(Card, MondayNoon), DecisionPath.Rule);

    [Fact]
    public void Decide_UnknownValue_DeniesInvalidCredential() =>
        AssertDenied(Scan(Card, MondayNoon, value: "FFFFFFFF"), ReasonCode.InvalidCredential);

    [Fact]
    public void Decide_SameValueOfAnotherKind_DeniesInvalidCredential() =>
        AssertDenied(Scan(Card, MondayNoon, kind: CredentialKind.Barcode), ReasonCode.InvalidCredential);

    [Fact]
    public void Decide_PinKeyedHash_MatchedAsGivenByTheServer() =>
        AssertAllowed(Scan(new CredentialDefinition(Id(201), PersonId, CredentialKind.Pin, "hmac-sha256:5f2c9a0e"), MondayNoon), DecisionPath.Rule);

    [Fact]
    public void Decide_RevokedCredential_DeniesCredentialRevoked() =>
        AssertDenied(Scan(Card with { Revoked = true }, MondayNoon), ReasonCode.CredentialRevoked);

    [Fact]
    public void Decide_RevokedAndExpired_ReportsRevokedFirst() =>
        AssertDenied(Scan(Card with { Revoked = true, ValidUntil = MondayNoon }, MondayNoon), ReasonCode.CredentialRevoked);

    [Fact]
    public void Decide_BeforeValidFrom_DeniesExpired() =>
        AssertDenied(Scan(Card with { ValidFrom = MondayNoon + Duration.FromSeconds(1) }, MondayNoon), ReasonCode.Expired);

    [Fact]
    public void Decide_AtValidUntil_DeniesExpired() =>
        AssertDenied(Scan(Card with { ValidUntil = MondayNoon }, MondayNoon), ReasonCode.Expired);

    [Fact]
    public void Decide_AtValidFrom_Allowed() =>
        AssertAllowed(Scan(Card with { ValidFrom = MondayNoon, ValidUntil = MondayNoon + Duration.FromDays(1) }, MondayNoon), DecisionPath.Rule);

    [Fact]
    public void Decide_UseCountReachedMaxUses_DeniesMaxUsesReached() =>
        AssertDenied(Scan(Card with { MaxUses = 3 }, MondayNoon, uses: 3), ReasonCode.MaxUsesReached);

    [Fact]
    public void Decide_UseCountBelowMaxUses_Allowed() =>
        AssertAllowed(Scan(Card with { MaxUses = 3 }, MondayNoon, uses: 2), DecisionPath.Rule);

    [Fact]
    public void Decide_CredentialOfBlocklistedPerson_DeniesBlocklisted() =>
        AssertDenied(Scan(Card, MondayNoon, defs: Site().WithPerson(Member() with { Blocklisted = true })), ReasonCode.Blocklisted);

    [Fact]
    public void Decide_InviteCredentialAtAllowedPointOfEntry_AllowedByInvite()
    {
        var visitor = Card with { Invite = new InviteConstraints([DoorId]) };
        var defs = Site(RuleSet.Nobody).WithDoor(d => d with { IsPointOfEntry = true });
        AssertAllowed(Scan(visitor, MondayNoon, defs: defs), DecisionPath.Invite);
    }

    [Fact]
    public void Decide_InviteCredentialAtAnotherDoor_DeniesEntryPointNotAllowed()
    {
        var visitor = Card with { Invite = new InviteConstraints([DoorId]) };
        var defs = Site().WithDoor(d => d with { IsPointOfEntry = true });
        // The visitor's person also matches the site rules: an invite credential still opens only its points of entry.
        AssertDenied(Scan(visitor, MondayNoon, door: OtherDoorId, defs: defs), ReasonCode.EntryPointNotAllowed);
    }

    [Fact]
    public void Decide_InviteForAnyPointOfEntryAtOrdinaryDoor_DeniesEntryPointNotAllowed()
    {
        var visitor = Card with { Invite = InviteConstraints.AnyPointOfEntry };
        var defs = Site(RuleSet.Nobody).WithDoor(d => d with { IsPointOfEntry = true });
        AssertAllowed(Scan(visitor, MondayNoon, defs: defs), DecisionPath.Invite);
        AssertDenied(Scan(visitor, MondayNoon, door: OtherDoorId, defs: defs), ReasonCode.EntryPointNotAllowed);
    }
}
