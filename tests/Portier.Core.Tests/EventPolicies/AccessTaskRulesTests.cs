using Portier.Core.EventPolicies;

namespace Portier.Core.Tests.EventPolicies;

public sealed class AccessTaskRulesTests
{
    private static readonly AccessTaskStatus[] Open = [AccessTaskStatus.NotYetScheduled, AccessTaskStatus.Pending, AccessTaskStatus.Scheduled];

    [Fact]
    public void CanRetarget_OpenTaskMovesBetweenOpenStatuses_AsTheHorizonSays()
    {
        foreach (var from in Open)
            foreach (var to in Open)
                Assert.True(AccessTaskRules.CanRetarget(from, to));
    }

    [Theory]
    [InlineData(AccessTaskStatus.Failed)]
    [InlineData(AccessTaskStatus.Cancelled)]
    public void CanRetarget_ClosedButNotExecuted_KeepsItsStatusOnly(AccessTaskStatus from)
    {
        Assert.True(AccessTaskRules.CanRetarget(from, from));
        Assert.All(Open, to => Assert.False(AccessTaskRules.CanRetarget(from, to)));
    }

    [Fact]
    public void CanRetarget_ExecutedTask_IsHistory() =>
        Assert.All(Enum.GetValues<AccessTaskStatus>(), to => Assert.False(AccessTaskRules.CanRetarget(AccessTaskStatus.Executed, to)));

    [Fact]
    public void CanRecordOutcome_OnlyWhileTheTaskIsOpen()
    {
        Assert.All(Open, s => Assert.True(AccessTaskRules.CanRecordOutcome(s)));
        foreach (var closed in new[] { AccessTaskStatus.Executed, AccessTaskStatus.Failed, AccessTaskStatus.Cancelled })
            Assert.False(AccessTaskRules.CanRecordOutcome(closed));
    }
}
