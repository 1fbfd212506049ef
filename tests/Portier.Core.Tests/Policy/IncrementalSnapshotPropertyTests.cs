using FsCheck.Xunit;

namespace Portier.Core.Tests.Policy;

/// <summary>
/// After any sequence of person, credential, grant and door changes, a snapshot patched change by change (a full
/// compile where the patch asks for one) decides exactly as a full compile of the final definitions, and every
/// snapshot it was patched from still decides as before.
/// </summary>
public class IncrementalSnapshotPropertyTests
{
    private const int Steps = 150;
    private const int QueriesPerStep = 40;

    [Property(MaxTest = 40)]
    public void Apply_AnySequenceOfChanges_DecidesExactlyAsAFullCompile(int seed)
    {
        var world = new IncrementalWorld(seed);
        var defs = world.Initial();
        var snapshot = PolicySnapshot.Compile(defs);
        var (firstDefs, first) = (defs, snapshot);
        int valid = 0, patched = 0;
        for (var step = 0; step < Steps; step++)
        {
            var change = world.Change();
            var next = IncrementalWorld.Apply(defs, change);
            var expected = CompileOrNull(next);
            var (result, threw) = ApplyOrThrown(snapshot, change);
            // The same change applied to the same snapshot again (its free slots now claimed) must agree too.
            var (again, threwAgain) = ApplyOrThrown(snapshot, change);
            if (expected is null)
            {
                Assert.True(threw || result is null, $"step {step}: {change} is invalid in full, yet the patch applied it");
                Assert.True(threwAgain || again is null);
                continue;
            }
            Assert.False(threw, $"step {step}: the patch refused {change}, which compiles in full");
            valid++;
            if (result is not null) patched++;
            if (again is not null) AssertSameDecisions(world, again, expected, $"step {step} again, after {change}");
            snapshot = result ?? expected;
            defs = next;
            AssertSameDecisions(world, snapshot, expected, $"step {step}, after {change}");
        }
        AssertSameDecisions(world, first, PolicySnapshot.Compile(firstDefs), "the first snapshot, after every change");
        // Most changes must be patched, or the property says little about patching.
        Assert.True(patched * 2 >= valid, $"only {patched} of {valid} changes were patched");
    }

    private static PolicySnapshot? CompileOrNull(PolicyDefinitions defs)
    {
        try
        {
            return PolicySnapshot.Compile(defs);
        }
        catch (PolicyDefinitionException)
        {
            return null;
        }
    }

    private static (PolicySnapshot? Result, bool Threw) ApplyOrThrown(PolicySnapshot snapshot, PolicyChange change)
    {
        try
        {
            return (snapshot.Apply(change), false);
        }
        catch (PolicyDefinitionException)
        {
            return (null, true);
        }
    }

    private static void AssertSameDecisions(IncrementalWorld world, PolicySnapshot actual, PolicySnapshot expected, string when)
    {
        var random = world.Random;
        Assert.Equal(expected.PersonCount, actual.PersonCount);
        Assert.Equal(expected.CredentialCount, actual.CredentialCount);
        Assert.Equal(expected.GrantCount, actual.GrantCount);
        Assert.Equal(expected.DoorCount, actual.DoorCount);
        for (var i = 0; i < IncrementalWorld.People; i++)
            Assert.Equal(expected.ContainsPerson(IncrementalWorld.PersonId(i)), actual.ContainsPerson(IncrementalWorld.PersonId(i)));
        for (var d = 0; d < IncrementalWorld.Doors; d++)
        {
            var door = IncrementalWorld.DoorId(d);
            Assert.Equal(expected.ContainsDoor(door), actual.ContainsDoor(door));
            Assert.Equal(expected.ArrivalGroupOf(door).Order(), actual.ArrivalGroupOf(door).Order());
            Assert.Equal(expected.CalendarForDoor(door) is null, actual.CalendarForDoor(door) is null);
            Assert.Equal(expected.LockdownAt(door), actual.LockdownAt(door));
            foreach (var kind in (CredentialKind[])[CredentialKind.Card, CredentialKind.Pin])
                for (var v = 0; v < 16; v++)
                    Assert.Equal(expected.FindCredential(door, kind, IncrementalWorld.Value(v)), actual.FindCredential(door, kind, IncrementalWorld.Value(v)));
        }
        for (var q = 0; q < QueriesPerStep; q++)
        {
            var door = IncrementalWorld.DoorId(random.Next(IncrementalWorld.Doors));
            var at = world.At();
            var request = random.Next(2) == 0
                ? DecisionRequest.ForPerson(IncrementalWorld.PersonId(random.Next(IncrementalWorld.People)), door, at)
                : DecisionRequest.Scan(random.Next(5) == 0 ? CredentialKind.Pin : CredentialKind.Card, IncrementalWorld.Value(random.Next(16)), door, at);
            var facts = new LiveFacts(random.Next(3), at);
            var want = DecisionEngine.Explain(expected, request, facts);
            var got = DecisionEngine.Explain(actual, request, facts);
            Assert.True(want.Decision == got.Decision, $"{when}: {request} decided {got.Decision}, a full compile {want.Decision}");
            Assert.Equal(want.Checks, got.Checks);
            Assert.Equal(want.Decision, DecisionEngine.Decide(actual, request, facts));
            Assert.Equal(AccessReview.WhoCanPass(expected, door, at).Order(), AccessReview.WhoCanPass(actual, door, at).Order());
            if (request.CredentialValue is null)
            {
                Assert.Equal(DecisionEngine.Authorize(expected, request.PersonId, door, at), DecisionEngine.Authorize(actual, request.PersonId, door, at));
                Assert.Equal(expected.QualificationShortfallAt(door, request.PersonId, at), actual.QualificationShortfallAt(door, request.PersonId, at));
            }
        }
    }
}
