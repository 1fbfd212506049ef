namespace Portier.Core.Tests.Decisions;

public class RulePathTests
{
    [Fact]
    public void Decide_MemberWithStatusCurrent_AllowedByRule() =>
        AssertAllowed(Site().Decide(MondayNoon), DecisionPath.Rule);

    [Fact]
    public void Decide_MemberWithOtherStatus_DeniesNoMatchingRuleOrGrant() =>
        AssertDenied(Site().WithPerson(Member("Lapsed")).Decide(MondayNoon), ReasonCode.NoMatchingRuleOrGrant);

    [Theory]
    [InlineData("Current")]
    [InlineData("Lapsed")]
    [InlineData("Anything at all")]
    public void Decide_PersonTypeRuleWithEmptyStatuses_MatchesAnyStatus(string status)
    {
        var rules = new RuleSet([new PersonTypeRule("Member")], [], WeeklyHours.Always);
        AssertAllowed(Site(rules).WithPerson(Member(status)).Decide(MondayNoon), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_TagsBeyondTheFirst64_MatchEachPersonsOwn()
    {
        // 100 allowed tags intern to bits 0–99; "visitor" to bit 100, past the first word of every person.
        var tags = Enumerable.Range(0, 100).Select(i => $"t{i:000}").ToArray();
        var rules = new RuleSet([], tags, WeeklyHours.Always);
        Guid[] people = [Id(400), Id(401), Id(402)];
        var defs = Site(rules) with
        {
            People =
            [
                new PersonDefinition(people[0], "Contractor", "Active") { SyncedTags = ["t005"] },
                new PersonDefinition(people[1], "Contractor", "Active") { CustomTags = ["t099"] },
                new PersonDefinition(people[2], "Contractor", "Active") { SyncedTags = ["visitor"] },
            ],
        };
        var snapshot = PolicySnapshot.Compile(defs);

        AssertAllowed(Decide(snapshot, DecisionRequest.ForPerson(people[0], DoorId, MondayNoon)), DecisionPath.Rule);
        AssertAllowed(Decide(snapshot, DecisionRequest.ForPerson(people[1], DoorId, MondayNoon)), DecisionPath.Rule);
        AssertDenied(Decide(snapshot, DecisionRequest.ForPerson(people[2], DoorId, MondayNoon)), ReasonCode.NoMatchingRuleOrGrant);
    }

    [Fact]
    public void Decide_SyncedStaffTag_AllowedByTagRule()
    {
        var contractor = new PersonDefinition(PersonId, "Contractor", "Active") { SyncedTags = ["staff"] };
        AssertAllowed(Site().WithPerson(contractor).Decide(MondayNoon), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_CustomStaffTag_AllowedByTagRule()
    {
        var contractor = new PersonDefinition(PersonId, "Contractor", "Active") { CustomTags = ["staff"] };
        AssertAllowed(Site().WithPerson(contractor).Decide(MondayNoon), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_CleanerWithGrantToServiceEntriesScope_AllowedByGrant()
    {
        var cleaner = new PersonDefinition(PersonId, "Contractor", "Active") { SyncedTags = ["cleaner"] };
        var defs = Site().WithPerson(cleaner).WithGrant(Grant() with { ScopeIds = [ServiceEntries] });
        AssertAllowed(defs.Decide(MondayNoon), DecisionPath.Grant);
        AssertDenied(defs.Decide(MondayNoon, OtherDoorId), ReasonCode.NoMatchingRuleOrGrant);
    }

    [Theory]
    [InlineData(6, 0, true)]
    [InlineData(9, 59, true)]
    [InlineData(10, 0, false)]
    [InlineData(12, 0, false)]
    [InlineData(16, 0, true)]
    [InlineData(21, 59, true)]
    [InlineData(22, 0, false)]
    [InlineData(5, 59, false)]
    public void Decide_MorningAndEveningBlocks_AllowsInsideOnly(int hour, int minute, bool allowed)
    {
        var defs = Site(MemberCurrent(EveryDay((6, 10), (16, 22))));
        var decision = defs.Decide(Local(NewYork, 2025, 6, 2, hour, minute));
        if (allowed) AssertAllowed(decision, DecisionPath.Rule);
        else AssertDenied(decision, ReasonCode.OutsideAccessHours);
    }

    [Fact]
    public void Decide_UnmatchedPersonOutsideHours_DeniesNoMatchingRuleOrGrant() =>
        AssertDenied(Site(MemberCurrent(EveryDay((6, 10)))).WithPerson(Member("Lapsed")).Decide(MondayNoon),
            ReasonCode.NoMatchingRuleOrGrant);

    [Fact]
    public void Decide_RuleOutsideHoursButGrantWithoutHours_AllowedByGrant() =>
        AssertAllowed(Site(MemberCurrent(EveryDay((6, 10)))).WithGrant(Grant() with { DoorIds = [DoorId] }).Decide(MondayNoon),
            DecisionPath.Grant);

    [Fact]
    public void Decide_DoorOverride_ReplacesScopeAndSiteRulesWithoutMerging()
    {
        var nightStaff = new RuleSet([], ["night"], WeeklyHours.Always);
        var defs = Site() with { Scopes = [new ScopeDefinition(ServiceEntries, SiteId) { RuleOverride = MemberCurrent() }] };
        defs = defs.WithDoor(d => d with { RuleOverride = nightStaff });

        AssertDenied(defs.Decide(MondayNoon), ReasonCode.NoMatchingRuleOrGrant);
        var night = new PersonDefinition(PersonId, "Guest", "Lapsed") { CustomTags = ["night"] };
        AssertAllowed(defs.WithPerson(night).Decide(MondayNoon), DecisionPath.Rule);
        AssertDenied(defs.WithPerson(night).Decide(MondayNoon, OtherDoorId), ReasonCode.NoMatchingRuleOrGrant);
    }

    [Fact]
    public void Decide_ScopeOverride_ReplacesSiteRules()
    {
        var guests = new RuleSet([new PersonTypeRule("Guest")], [], WeeklyHours.Always);
        var defs = Site() with { Scopes = [new ScopeDefinition(ServiceEntries, SiteId) { RuleOverride = guests }] };

        AssertDenied(defs.Decide(MondayNoon), ReasonCode.NoMatchingRuleOrGrant);
        AssertAllowed(defs.Decide(MondayNoon, OtherDoorId), DecisionPath.Rule);
        AssertAllowed(defs.WithPerson(new PersonDefinition(PersonId, "Guest", "Lapsed")).Decide(MondayNoon), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_OverrideWithoutHours_DoesNotInheritSiteHours()
    {
        var defs = Site(MemberCurrent(EveryDay((6, 10)))).WithDoor(d => d with { RuleOverride = MemberCurrent() });
        AssertAllowed(defs.Decide(MondayNoon), DecisionPath.Rule);
        AssertDenied(defs.Decide(MondayNoon, OtherDoorId), ReasonCode.OutsideAccessHours);
    }

    [Fact]
    public void Compile_DoorInTwoScopesWithOverrides_ScopeWithSmallestIdWins()
    {
        var first = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
        var second = Guid.Parse("ffffffff-0000-0000-0000-0000000000a2");
        var guestsOnly = new RuleSet([new PersonTypeRule("Guest")], [], WeeklyHours.Always);
        var defs = Site() with
        {
            // Listed in reverse order on purpose: the choice depends on the ids, not on list order.
            Scopes = [new ScopeDefinition(second, SiteId) { RuleOverride = MemberCurrent() }, new ScopeDefinition(first, SiteId) { RuleOverride = guestsOnly }],
        };
        defs = defs.WithDoor(d => d with { ScopeIds = [second, first] });

        AssertDenied(defs.Decide(MondayNoon), ReasonCode.NoMatchingRuleOrGrant);
    }

    [Fact]
    public void Decide_GrantAtDoorWithRestrictiveOverride_StillAllowedByGrant()
    {
        var defs = Site().WithDoor(d => d with { RuleOverride = RuleSet.Nobody }).WithGrant(Grant() with { ScopeIds = [ServiceEntries] });
        AssertAllowed(defs.Decide(MondayNoon), DecisionPath.Grant);
    }

    [Fact]
    public void Decide_GrantOwnHoursOutside_Denies()
    {
        var defs = Site(RuleSet.Nobody).WithGrant(Grant() with { DoorIds = [DoorId], Hours = EveryDay((6, 10)) });
        AssertDenied(defs.Decide(MondayNoon), ReasonCode.NoMatchingRuleOrGrant);
        AssertAllowed(defs.Decide(Local(NewYork, 2025, 6, 2, 7, 0)), DecisionPath.Grant);
    }

    [Fact]
    public void Decide_TemporaryGrant_ValidFromInclusiveUntilExclusive()
    {
        var from = MondayNoon;
        var until = MondayNoon + Duration.FromHours(2);
        var defs = Site(RuleSet.Nobody).WithGrant(Grant() with { DoorIds = [DoorId], ValidFrom = from, ValidUntil = until });

        AssertDenied(defs.Decide(from - Duration.FromSeconds(1)), ReasonCode.NoMatchingRuleOrGrant);
        AssertAllowed(defs.Decide(from), DecisionPath.TemporaryGrant);
        AssertAllowed(defs.Decide(until - Duration.FromSeconds(1)), DecisionPath.TemporaryGrant);
        AssertDenied(defs.Decide(until), ReasonCode.NoMatchingRuleOrGrant);
    }

    [Fact]
    public void Decide_SiteWideGrant_AllowsEveryDoorOfItsSite()
    {
        var defs = Site(RuleSet.Nobody).WithGrant(Grant() with { SiteWide = true });
        AssertAllowed(defs.Decide(MondayNoon), DecisionPath.Grant);
        AssertAllowed(defs.Decide(MondayNoon, OtherDoorId), DecisionPath.Grant);
    }

    [Fact]
    public void Decide_SiteWideGrantForAnotherSite_Denies()
    {
        var elsewhere = Id(50);
        var defs = Site(RuleSet.Nobody) with { Sites = [.. Site(RuleSet.Nobody).Sites, new SiteDefinition(elsewhere, "Europe/Berlin", RuleSet.Nobody)] };
        defs = defs.WithGrant(new GrantDefinition(Id(100), PersonId, elsewhere) { SiteWide = true });
        AssertDenied(defs.Decide(MondayNoon), ReasonCode.NoMatchingRuleOrGrant);
    }
}
