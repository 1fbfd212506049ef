using Portier.Core.EventPolicies;

namespace Portier.Core.Tests.EventPolicies;

public sealed class TaskPlannerTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 2, 9, 0);
    private static readonly Duration Horizon = AccessTaskRules.DefaultHorizon;
    private static readonly Guid Zone = Id(50);
    private static readonly Guid Alice = Id(60);
    private static readonly Guid Bob = Id(61);

    private static SessionPlan Session(int n, Instant start, int hours = 2, bool cancelled = false, params Guid[] attendees) =>
        new(Id(n), start, start + Duration.FromHours(hours), cancelled, attendees);

    private static PolicyPlan Policy(int before = 30, int after = 15, bool active = true, string? tag = null) =>
        new(Id(100), new PolicyBuffers(before, after), Zone, tag, active);

    private static List<ExistingTask> AsExisting(TaskPlan plan, AccessTaskStatus? grantStatus = null, params Guid[] granted) =>
        plan.Creates.Select(c => new ExistingTask(c.Id, c.SessionId, c.PolicyId, c.WindowId, c.Action, c.PersonId,
            c.Action == AccessTaskAction.Grant && grantStatus is { } s ? s : c.Status, c.Target, c.Window, c.ZoneId, c.Tag,
            c.Action == AccessTaskAction.Grant && grantStatus == AccessTaskStatus.Executed ? c.Target : null,
            c.Action == AccessTaskAction.Grant ? granted : [])).ToList();

    [Fact]
    public void Plan_WeeklySessions_GrantAtStartMinusBefore_RevokeAtEndPlusAfter_OnlyNearOnesPending()
    {
        var sessions = Enumerable.Range(0, 4).Select(w => Session(w + 1, Now + Duration.FromHours(3) + Duration.FromDays(7 * w))).ToList();

        var plan = TaskPlanner.Plan(sessions, [Policy()], [], Now, Horizon);

        Assert.Equal(8, plan.Creates.Count);
        var first = plan.Creates.Where(c => c.SessionId == Id(1)).ToList();
        Assert.Equal(Now + Duration.FromMinutes(150), first.Single(c => c.Action == AccessTaskAction.Grant).Target);
        Assert.Equal(Now + Duration.FromMinutes(315), first.Single(c => c.Action == AccessTaskAction.Revoke).Target);
        Assert.All(first, c => Assert.Equal(AccessTaskStatus.Pending, c.Status));
        Assert.All(plan.Creates.Where(c => c.SessionId != Id(1)), c => Assert.Equal(AccessTaskStatus.NotYetScheduled, c.Status));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(480, 480)]
    public void Plan_BufferBounds_AreExact(int before, int after)
    {
        var start = Now + Duration.FromDays(2);
        var plan = TaskPlanner.Plan([Session(1, start)], [Policy(before, after)], [], Now, Horizon);
        Assert.Equal(start - Duration.FromMinutes(before), plan.Creates.Single(c => c.Action == AccessTaskAction.Grant).Target);
        Assert.Equal(start + Duration.FromHours(2) + Duration.FromMinutes(after), plan.Creates.Single(c => c.Action == AccessTaskAction.Revoke).Target);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(481)]
    public void PolicyBuffers_OutOfRange_Throws(int minutes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyBuffers(minutes, 0));

    [Fact]
    public void Plan_SamePlanTwice_IsIdempotent()
    {
        var sessions = new[] { Session(1, Now + Duration.FromHours(5)) };
        var first = TaskPlanner.Plan(sessions, [Policy()], [], Now, Horizon);
        var second = TaskPlanner.Plan(sessions, [Policy()], AsExisting(first), Now, Horizon);
        Assert.True(second.IsEmpty);
    }

    [Fact]
    public void Plan_PastSession_PlansNothing() =>
        Assert.True(TaskPlanner.Plan([Session(1, Now - Duration.FromHours(5))], [Policy()], [], Now, Horizon).IsEmpty);

    [Fact]
    public void Plan_MovedBeforeGrantRan_RetargetsInPlace()
    {
        var start = Now + Duration.FromDays(3);
        var existing = AsExisting(TaskPlanner.Plan([Session(1, start)], [Policy()], [], Now, Horizon));
        var moved = Now + Duration.FromHours(2);

        var plan = TaskPlanner.Plan([Session(1, moved)], [Policy()], existing, Now, Horizon);

        Assert.Empty(plan.Creates);
        Assert.Equal(2, plan.Retargets.Count);
        var grant = plan.Retargets.Single(r => r.TaskId == existing.Single(e => e.Action == AccessTaskAction.Grant).Id);
        Assert.Equal(moved - Duration.FromMinutes(30), grant.Target);
        Assert.Equal(AccessTaskStatus.Pending, grant.Status);
    }

    [Fact]
    public void Plan_MovedAfterGrantExecuted_RevokesOldWindowNow_AndPlansNewWindow()
    {
        var start = Now + Duration.FromMinutes(10);
        var existing = AsExisting(TaskPlanner.Plan([Session(1, start)], [Policy()], [], Now, Horizon), AccessTaskStatus.Executed, Alice);
        var moved = Now + Duration.FromDays(1);

        var plan = TaskPlanner.Plan([Session(1, moved, attendees: Alice)], [Policy()], existing, Now, Horizon);

        var revoke = existing.Single(e => e.Action == AccessTaskAction.Revoke);
        Assert.Equal(Now, Assert.Single(plan.Retargets, r => r.TaskId == revoke.Id).Target);
        Assert.Equal(existing.Select(e => e.Id).Order(), plan.Supersedes.Order());
        Assert.Equal(2, plan.Creates.Count);
        Assert.Equal(moved - Duration.FromMinutes(30), plan.Creates.Single(c => c.Action == AccessTaskAction.Grant).Target);
        Assert.NotEqual(revoke.WindowId, plan.Creates[0].WindowId);
    }

    [Fact]
    public void Plan_CancelledSession_CancelsOpenTasks()
    {
        var existing = AsExisting(TaskPlanner.Plan([Session(1, Now + Duration.FromHours(4))], [Policy()], [], Now, Horizon));
        var plan = TaskPlanner.Plan([Session(1, Now + Duration.FromHours(4), cancelled: true)], [Policy()], existing, Now, Horizon);
        Assert.Equal(existing.Select(e => e.Id).Order(), plan.Cancels.Order());
    }

    [Fact]
    public void Plan_CancelledSessionAfterGrant_RunsRevokeNow()
    {
        var existing = AsExisting(TaskPlanner.Plan([Session(1, Now + Duration.FromMinutes(5))], [Policy()], [], Now, Horizon), AccessTaskStatus.Executed, Alice);
        var plan = TaskPlanner.Plan([Session(1, Now + Duration.FromMinutes(5), cancelled: true)], [Policy()], existing, Now, Horizon);
        Assert.Empty(plan.Cancels);
        Assert.Equal(Now, Assert.Single(plan.Retargets).Target);
    }

    [Fact]
    public void Plan_DeletedPolicy_CancelsItsTasks()
    {
        var existing = AsExisting(TaskPlanner.Plan([Session(1, Now + Duration.FromHours(4))], [Policy()], [], Now, Horizon));
        var plan = TaskPlanner.Plan([Session(1, Now + Duration.FromHours(4))], [], existing, Now, Horizon);
        Assert.Equal(2, plan.Cancels.Count);
    }

    [Fact]
    public void Plan_InactivePolicy_PlansNothingAndKeepsTasks()
    {
        var sessions = new[] { Session(1, Now + Duration.FromHours(4)) };
        Assert.True(TaskPlanner.Plan(sessions, [Policy(active: false)], [], Now, Horizon).IsEmpty);
        var existing = AsExisting(TaskPlanner.Plan(sessions, [Policy()], [], Now, Horizon));
        Assert.True(TaskPlanner.Plan(sessions, [Policy(active: false)], existing, Now, Horizon).IsEmpty);
    }

    [Fact]
    public void Plan_AttendeeAddedInsideOpenedWindow_GetsOnePersonGrantNow_AndRemovedOneIsRevoked()
    {
        var start = Now + Duration.FromMinutes(10);
        var existing = AsExisting(TaskPlanner.Plan([Session(1, start)], [Policy()], [], Now, Horizon), AccessTaskStatus.Executed, Alice);

        var plan = TaskPlanner.Plan([Session(1, start, attendees: Bob)], [Policy()], existing, Now, Horizon);

        var grant = Assert.Single(plan.Creates, c => c.Action == AccessTaskAction.Grant);
        Assert.Equal((Bob, Now, AccessTaskStatus.Pending), (grant.PersonId!.Value, grant.Target, grant.Status));
        Assert.Equal(Alice, Assert.Single(plan.Creates, c => c.Action == AccessTaskAction.Revoke).PersonId);

        var again = TaskPlanner.Plan([Session(1, start, attendees: Bob)], [Policy()],
            [.. existing, .. plan.Creates.Select(c => new ExistingTask(c.Id, c.SessionId, c.PolicyId, c.WindowId, c.Action, c.PersonId, c.Status, c.Target, c.Window, c.ZoneId, c.Tag, null, []))],
            Now, Horizon);
        Assert.True(again.IsEmpty);
    }

    [Fact]
    public void Rules_MissedOnlyForGrantsWhoseWindowEnded()
    {
        var window = new AccessWindow(Now, Now + Duration.FromHours(1));
        Assert.False(AccessTaskRules.IsMissed(AccessTaskAction.Grant, window, Now + Duration.FromMinutes(59)));
        Assert.True(AccessTaskRules.IsMissed(AccessTaskAction.Grant, window, Now + Duration.FromHours(1)));
        Assert.False(AccessTaskRules.IsMissed(AccessTaskAction.Revoke, window, Now + Duration.FromDays(3)));
    }

    [Fact]
    public void Rules_AvailableCommands_FollowTheManual()
    {
        Assert.Equal([AccessTaskCommand.Cancel], AccessTaskRules.AvailableCommands(AccessTaskStatus.NotYetScheduled, false));
        Assert.Equal([AccessTaskCommand.Cancel], AccessTaskRules.AvailableCommands(AccessTaskStatus.Scheduled, false));
        Assert.Equal([AccessTaskCommand.Retry, AccessTaskCommand.Acknowledge], AccessTaskRules.AvailableCommands(AccessTaskStatus.Failed, false));
        Assert.Equal([AccessTaskCommand.Retry], AccessTaskRules.AvailableCommands(AccessTaskStatus.Failed, true));
        Assert.Empty(AccessTaskRules.AvailableCommands(AccessTaskStatus.Executed, false));
        Assert.Empty(AccessTaskRules.AvailableCommands(AccessTaskStatus.Cancelled, false));
    }

    [Fact]
    public void Rules_NextAttempt_DoublesAndHonorsRetryAfter()
    {
        var baseDelay = Duration.FromSeconds(30);
        Assert.Equal(Now + Duration.FromSeconds(30), AccessTaskRules.NextAttempt(0, baseDelay, null, Now));
        Assert.Equal(Now + Duration.FromSeconds(120), AccessTaskRules.NextAttempt(2, baseDelay, null, Now));
        Assert.Equal(Now + Duration.FromMinutes(10), AccessTaskRules.NextAttempt(0, baseDelay, Duration.FromMinutes(10), Now));
        Assert.Equal(Now + Duration.FromHours(1), AccessTaskRules.NextAttempt(30, baseDelay, null, Now));
    }

    [Theory]
    [InlineData(null, AccessTaskFailure.ProviderUnreachable, false)]
    [InlineData(401, AccessTaskFailure.ProviderCredentialsExpired, false)]
    [InlineData(404, AccessTaskFailure.ZoneRemoved, false)]
    [InlineData(429, AccessTaskFailure.RateLimited, true)]
    [InlineData(503, AccessTaskFailure.ProviderError, true)]
    public void ProviderOutcome_MapsStatusesToFailureCauses(int? status, AccessTaskFailure failure, bool retry)
    {
        var outcome = ProviderOutcome.FromHttp(status);
        Assert.Equal((false, failure, retry), (outcome.Succeeded, outcome.Failure!.Value, outcome.RetryAutomatically));
    }

    [Theory]
    // A revoke is retried through an outage until three days past its target, whatever the count.
    [InlineData(AccessTaskAction.Revoke, null, 40, 71, true)]
    [InlineData(AccessTaskAction.Revoke, null, 40, 72, false)]
    [InlineData(AccessTaskAction.Revoke, 503, 40, 1, true)]
    // A grant: an unreachable provider while the window is open at the next attempt; a 429 or 5xx five times.
    [InlineData(AccessTaskAction.Grant, null, 40, 1, true)]
    [InlineData(AccessTaskAction.Grant, null, 0, 2, false)]
    [InlineData(AccessTaskAction.Grant, 429, 4, 1, true)]
    [InlineData(AccessTaskAction.Grant, 429, 5, 1, false)]
    // A refusal is never retried automatically.
    [InlineData(AccessTaskAction.Revoke, 401, 0, 1, false)]
    [InlineData(AccessTaskAction.Grant, 404, 0, 1, false)]
    public void Rules_RetriesAgain_RevokesThroughTheRetryPeriod_GrantsWhileTheirWindowIsOpen(
        AccessTaskAction action, int? status, int retryCount, int nextInHours, bool retries)
    {
        var window = new AccessWindow(Now, Now + Duration.FromHours(2));
        var target = action == AccessTaskAction.Grant ? window.Start : Now;
        Assert.Equal(retries, AccessTaskRules.RetriesAgain(action, ProviderOutcome.FromHttp(status), retryCount, 5, target, window,
            AccessTaskRules.DefaultRevokeRetryPeriod, Now + Duration.FromHours(nextInHours)));
    }
}
