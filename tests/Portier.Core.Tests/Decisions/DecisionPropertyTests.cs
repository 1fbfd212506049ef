using FsCheck.Xunit;

namespace Portier.Core.Tests.Decisions;

/// <summary>Invariants over random sites, people, overrides and grants built from FsCheck-chosen seeds.</summary>
public class DecisionPropertyTests
{
    private static readonly string[] Types = ["Member", "Staff", "Guest"];
    private static readonly string[] Statuses = ["Current", "Lapsed", "Active"];
    private static readonly string[] Tags = ["staff", "cleaner", "vip", "night"];

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static string[] Some(Random random, string[] items) => [.. items.Where(_ => random.Next(3) == 0)];

    private static WeeklyHours RandomHours(Random random)
    {
        if (random.Next(3) == 0) return WeeklyHours.Always;
        var start = random.Next(0, 23);
        return EveryDay((start, random.Next(start + 1, 25)));
    }

    private static RuleSet RandomRules(Random random) => new(
        [.. Enumerable.Range(0, random.Next(3)).Select(_ => new PersonTypeRule(Pick(random, Types), Some(random, Statuses)))],
        Some(random, Tags),
        RandomHours(random));

    private static GrantDefinition RandomGrant(Random random, int n)
    {
        var grant = Grant(n) with { Hours = random.Next(2) == 0 ? null : RandomHours(random) };
        grant = random.Next(3) switch
        {
            0 => grant with { SiteWide = true },
            1 => grant with { DoorIds = [random.Next(2) == 0 ? DoorId : OtherDoorId] },
            _ => grant with { ScopeIds = [ServiceEntries] },
        };
        return random.Next(3) == 0
            ? grant with { ValidFrom = MondayNoon - Duration.FromDays(random.Next(-5, 5)), ValidUntil = MondayNoon + Duration.FromDays(random.Next(-5, 5)) }
            : grant;
    }

    private static (PolicyDefinitions Defs, Instant At) RandomScenario(int seed, bool withOverrides = true, bool withGrants = true)
    {
        var random = new Random(seed);
        var person = new PersonDefinition(PersonId, Pick(random, Types), Pick(random, Statuses))
        {
            SyncedTags = Some(random, Tags),
            CustomTags = Some(random, Tags),
        };
        var defs = Site(RandomRules(random)).WithPerson(person);
        if (withOverrides)
        {
            defs = defs with { Scopes = [new ScopeDefinition(ServiceEntries, SiteId) { RuleOverride = random.Next(2) == 0 ? null : RandomRules(random) }] };
            if (random.Next(2) == 0) defs = defs.WithDoor(d => d with { RuleOverride = RandomRules(random) });
        }
        if (withGrants)
        {
            for (var g = 0; g < random.Next(3); g++) defs = defs.WithGrant(RandomGrant(random, 100 + g));
        }
        return (defs, MondayNoon + Duration.FromMinutes(random.Next(-7 * 24 * 60, 7 * 24 * 60)));
    }

    private static Decision Run(PolicyDefinitions defs, Instant at) =>
        DecisionEngine.Decide(PolicySnapshot.Compile(defs), DecisionRequest.ForPerson(PersonId, DoorId, at), LiveFacts.OnlineAt(at));

    [Property(MaxTest = 300)]
    public bool Decide_AddingAGrant_NeverTurnsAllowIntoDeny(int seed, int grantSeed)
    {
        var (defs, at) = RandomScenario(seed);
        var before = Run(defs, at);
        var after = Run(defs.WithGrant(RandomGrant(new Random(grantSeed), 999)), at);
        return !before.Allowed || after.Allowed;
    }

    [Property(MaxTest = 300)]
    public bool Decide_KillSwitchOrBlocklist_AlwaysDenies(int seed, bool killSwitch)
    {
        var (defs, at) = RandomScenario(seed);
        var person = defs.People.Single();
        var decision = Run(defs.WithPerson(killSwitch ? person with { AccessEnabled = false } : person with { Blocklisted = true }), at);
        return !decision.Allowed && decision.Reason == (killSwitch ? ReasonCode.AccessDisabled : ReasonCode.Blocklisted);
    }

    [Property(MaxTest = 300)]
    public bool Decide_DoorOverride_ActsExactlyLikeSiteRulesReplacedWholesale(int seed, int overrideSeed)
    {
        var (defs, at) = RandomScenario(seed, withOverrides: false, withGrants: false);
        var replacement = RandomRules(new Random(overrideSeed));
        var overridden = Run(defs.WithDoor(d => d with { RuleOverride = replacement }), at);
        var asSiteRules = Run(defs with { Sites = [defs.Sites[0] with { Rules = replacement }] }, at);
        return overridden == asSiteRules;
    }

    [Property(MaxTest = 300)]
    public bool Decide_ScopeOverride_ActsExactlyLikeSiteRulesReplacedWholesale(int seed, int overrideSeed)
    {
        var (defs, at) = RandomScenario(seed, withOverrides: false, withGrants: false);
        var replacement = RandomRules(new Random(overrideSeed));
        var overridden = Run(defs with { Scopes = [new ScopeDefinition(ServiceEntries, SiteId) { RuleOverride = replacement }] }, at);
        var asSiteRules = Run(defs with { Sites = [defs.Sites[0] with { Rules = replacement }] }, at);
        return overridden == asSiteRules;
    }

    [Property(MaxTest = 300)]
    public bool Explain_AnyScenario_AgreesWithDecide(int seed)
    {
        var (defs, at) = RandomScenario(seed);
        var snapshot = PolicySnapshot.Compile(defs);
        var request = DecisionRequest.ForPerson(PersonId, DoorId, at);
        var facts = LiveFacts.OnlineAt(at);
        var fast = DecisionEngine.Decide(snapshot, request, facts);
        var explained = DecisionEngine.Explain(snapshot, request, facts);
        var failed = explained.Checks.Where(c => c.Outcome == CheckOutcome.Failed).Select(c => c.Failure).LastOrDefault();
        return fast == explained.Decision && (fast.Allowed || failed == fast.Reason);
    }

    [Property(MaxTest = 100)]
    public bool AccessReview_WhoCanPassAndDoorsFor_AgreeWithDecide(int seed)
    {
        var (defs, at) = RandomScenario(seed);
        var snapshot = PolicySnapshot.Compile(defs);
        var allowed = Run(defs, at).Allowed;
        return AccessReview.WhoCanPass(snapshot, DoorId, at).Contains(PersonId) == allowed
            && AccessReview.DoorsFor(snapshot, PersonId, at).Contains(DoorId) == allowed;
    }
}
