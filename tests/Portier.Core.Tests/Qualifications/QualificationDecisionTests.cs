using FsCheck.Xunit;

namespace Portier.Core.Tests.Qualifications;

/// <summary>
/// Training prerequisites: a door or its scopes require qualifications; the check runs after authorization
/// and before the zone, for presented credentials and people, never for an administrator's override or a schedule.
/// </summary>
public sealed class QualificationDecisionTests
{
    private static readonly Guid Laser = Id(700);
    private static readonly Guid Welding = Id(701);
    private static readonly Instant Expiry = MondayNoon + Duration.FromHours(1);

    private static PolicyDefinitions Workshop(params HeldQualification[] held) =>
        Site().WithDoor(d => d with { RequiredQualificationIds = [Laser] }).WithPerson(Member() with { Qualifications = held })
            with { Qualifications = [new QualificationDefinition(Laser, "Laser cutter"), new QualificationDefinition(Welding, "Welding")] };

    [Fact]
    public void Decide_NeverHeld_IsQualificationMissing() =>
        AssertDenied(Workshop().Decide(MondayNoon), ReasonCode.QualificationMissing);

    [Fact]
    public void Decide_HeldWithoutExpiry_IsGrantedByTheRule() =>
        AssertAllowed(Workshop(new HeldQualification(Laser)).Decide(MondayNoon), DecisionPath.Rule);

    [Fact]
    public void Decide_AtTheExpiryInstant_IsExpired_OneTickBefore_IsGranted()
    {
        var defs = Workshop(new HeldQualification(Laser, MondayNoon - Duration.FromDays(30), Expiry));
        AssertAllowed(defs.Decide(Expiry - Duration.Epsilon), DecisionPath.Rule);
        AssertDenied(defs.Decide(Expiry), ReasonCode.QualificationExpired);
        AssertDenied(defs.Decide(Expiry + Duration.FromDays(400)), ReasonCode.QualificationExpired);
    }

    [Fact]
    public void Decide_BeforeTheGrantStarts_IsMissing() =>
        AssertDenied(Workshop(new HeldQualification(Laser, MondayNoon + Duration.FromMinutes(1))).Decide(MondayNoon), ReasonCode.QualificationMissing);

    [Fact]
    public void Decide_AnotherQualificationHeld_IsMissing() =>
        AssertDenied(Workshop(new HeldQualification(Welding)).Decide(MondayNoon), ReasonCode.QualificationMissing);

    [Fact]
    public void Decide_HeldTwice_TheLongestLastingCounts()
    {
        var defs = Workshop(new HeldQualification(Laser, null, MondayNoon - Duration.FromDays(1)), new HeldQualification(Laser, null, Expiry));
        AssertAllowed(defs.Decide(MondayNoon), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_DoorAndScopeRequirements_AreUnited()
    {
        var defs = Workshop(new HeldQualification(Laser)) with
        {
            Scopes = [new ScopeDefinition(ServiceEntries, SiteId) { RequiredQualificationIds = [Welding] }],
        };
        AssertDenied(defs.Decide(MondayNoon), ReasonCode.QualificationMissing);
        AssertAllowed(defs.WithPerson(Member() with { Qualifications = [new(Laser), new(Welding)] }).Decide(MondayNoon), DecisionPath.Rule);
        // The other door is in no scope and requires nothing.
        AssertAllowed(defs.Decide(MondayNoon, OtherDoorId), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_NotAuthorizedAtAll_KeepsTheAuthorizationReason() =>
        AssertDenied(Workshop().WithPerson(Member("Expired")).Decide(MondayNoon), ReasonCode.NoMatchingRuleOrGrant);

    [Fact]
    public void Decide_QualificationRefusesBeforeTheZoneCapacity()
    {
        var defs = Workshop() with { Zones = [new ZoneDefinition(ZoneId, SiteId) { Capacity = 0 }] };
        AssertDenied(defs.WithDoor(d => d with { ZoneId = ZoneId }).Decide(MondayNoon), ReasonCode.QualificationMissing);
    }

    [Fact]
    public void Decide_GrantPath_IsSubjectToo() =>
        AssertDenied(Workshop().WithPerson(Member("Expired")).WithGrant(Grant() with { SiteWide = true }).Decide(MondayNoon), ReasonCode.QualificationMissing);

    [Fact]
    public void Decide_InviteCredential_IsSubjectToo()
    {
        var defs = Workshop().WithDoor(d => d with { IsPointOfEntry = true }) with
        {
            Credentials = [new CredentialDefinition(Id(800), PersonId, CredentialKind.Card, "C1") { Invite = InviteConstraints.AnyPointOfEntry }],
        };
        AssertDenied(Fixture.Decide(PolicySnapshot.Compile(defs), DecisionRequest.Scan(CredentialKind.Card, "C1", DoorId, MondayNoon)), ReasonCode.QualificationMissing);
    }

    [Fact]
    public void Decide_ExitPassage_IsNotSubject()
    {
        var snapshot = PolicySnapshot.Compile(Workshop() with { Credentials = [new CredentialDefinition(Id(801), PersonId, CredentialKind.Card, "C2")] });
        AssertAllowed(Fixture.Decide(snapshot, DecisionRequest.Scan(CredentialKind.Card, "C2", DoorId, MondayNoon, DoorDirection.Out)), DecisionPath.Rule);
        AssertDenied(Fixture.Decide(snapshot, DecisionRequest.Scan(CredentialKind.Card, "C2", DoorId, MondayNoon, DoorDirection.In)), ReasonCode.QualificationMissing);
        AssertAllowed(Workshop().WithDoor(d => d with { Direction = DoorDirection.Out }).Decide(MondayNoon), DecisionPath.Rule);
    }

    [Fact]
    public void OverrideAndSchedule_AreNotSubject()
    {
        var snapshot = PolicySnapshot.Compile(Workshop());
        AssertAllowed(Fixture.Decide(snapshot, DecisionRequest.AdminOverride(DoorId, MondayNoon, PersonId)), DecisionPath.AdminOverride);
        AssertAllowed(Fixture.Decide(snapshot, DecisionRequest.Schedule(DoorId, MondayNoon)), DecisionPath.Schedule);
    }

    [Fact]
    public void Explain_NamesTheQualificationAndTheExpiry()
    {
        var snapshot = PolicySnapshot.Compile(Workshop(new HeldQualification(Laser, null, Expiry)));
        var passed = DecisionEngine.Explain(snapshot, DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon), LiveFacts.OnlineAt(MondayNoon));
        var check = Assert.Single(passed.Checks, c => c.Check == DecisionCheck.Qualifications);
        Assert.Equal(CheckOutcome.Passed, check.Outcome);
        Assert.Contains("Laser cutter (until 2025-06-02T17:00:00Z)", check.Detail, StringComparison.Ordinal);

        var later = Expiry + Duration.FromMinutes(5);
        var failed = DecisionEngine.Explain(snapshot, DecisionRequest.ForPerson(PersonId, DoorId, later), LiveFacts.OnlineAt(later));
        check = Assert.Single(failed.Checks, c => c.Check == DecisionCheck.Qualifications);
        Assert.Equal(ReasonCode.QualificationExpired, check.Failure);
        Assert.Equal("qualification_expired: Laser cutter expired at 2025-06-02T17:00:00Z", check.Detail);
        Assert.Equal(DecisionCheck.Qualifications, failed.Checks[^1].Check);

        var shortfall = snapshot.QualificationShortfallAt(DoorId, PersonId, later);
        Assert.Equal(new QualificationShortfall(Laser, "Laser cutter", Expiry), shortfall);
        Assert.Null(snapshot.QualificationShortfallAt(DoorId, PersonId, MondayNoon));
    }

    [Fact]
    public void Explain_NoRequirement_IsNotApplicable()
    {
        var explained = DecisionEngine.Explain(PolicySnapshot.Compile(Site()), DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon), LiveFacts.OnlineAt(MondayNoon));
        Assert.Equal(CheckOutcome.NotApplicable, Assert.Single(explained.Checks, c => c.Check == DecisionCheck.Qualifications).Outcome);
    }

    [Fact]
    public void Compile_QualificationEndingBeforeItStarts_IsRefused() =>
        Assert.Throws<PolicyDefinitionException>(() => PolicySnapshot.Compile(Workshop(new HeldQualification(Laser, Expiry, MondayNoon))));

    /// <summary>
    /// An independent reading: with requirements the decision is the one without them, unless that one was
    /// granted and the person lacks a required qualification at the instant: the first lacking, in definition order, decides.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool Decide_AgreesWithAnIndependentReadingOfTheRequirements(int seed)
    {
        var random = new Random(seed);
        Guid[] all = [Id(710), Id(711), Id(712)];
        var at = MondayNoon + Duration.FromHours(random.Next(-48, 48));
        var held = all.Where(_ => random.Next(3) > 0).Select(q => new HeldQualification(q,
            random.Next(4) == 0 ? MondayNoon + Duration.FromHours(random.Next(-48, 48)) - Duration.FromDays(3) : null,
            random.Next(2) == 0 ? MondayNoon + Duration.FromHours(random.Next(-48, 48)) : null)).ToList();
        var doorRequires = all.Where(_ => random.Next(3) == 0).ToList();
        var scopeRequires = all.Where(_ => random.Next(4) == 0).ToList();
        var rules = random.Next(5) == 0 ? RuleSet.Nobody : MemberCurrent();
        // Defined in id order, so "the first lacking in definition order" is the first by id.
        var plain = Site(rules).WithPerson(Member() with { Qualifications = held }) with { Qualifications = [.. all.Select(q => new QualificationDefinition(q, q.ToString()))] };
        var required = plain.WithDoor(d => d with { RequiredQualificationIds = doorRequires }) with
        {
            Scopes = [new ScopeDefinition(ServiceEntries, SiteId) { RequiredQualificationIds = scopeRequires }],
        };

        var without = plain.Decide(at);
        var with = required.Decide(at);
        if (!without.Allowed) return with == without;
        var lacking = doorRequires.Union(scopeRequires).Order()
            .Select(q => held.Where(h => h.QualificationId == q).MaxBy(h => h.Until ?? Instant.MaxValue))
            .Select(h => h is null || (h.From is { } from && at < from) ? ReasonCode.QualificationMissing
                : h.Until is { } until && at >= until ? ReasonCode.QualificationExpired : ReasonCode.Granted)
            .FirstOrDefault(r => r != ReasonCode.Granted, ReasonCode.Granted);
        return lacking == ReasonCode.Granted ? with == without : with == Decision.Deny(lacking);
    }
}
