using Portier.Core.Model;
using NodaTime;

namespace Portier.Core.EventPolicies;

/// <summary>A session as the planner sees it: its times, whether it was cancelled, and everyone registered for it (session and whole-series attendees).</summary>
public sealed record SessionPlan(Guid SessionId, Instant Start, Instant End, bool Cancelled, IReadOnlyCollection<Guid> Attendees);

/// <summary>A policy as the planner sees it. An inactive policy (its zone disappeared from the provider) plans nothing new and leaves its tasks alone.</summary>
public sealed record PolicyPlan(Guid PolicyId, PolicyBuffers Buffers, Guid ZoneId, string? Tag, bool Active);

/// <summary>
/// An existing task of a session's current window. <paramref name="PersonId"/> is null for the
/// window's main grant and revoke (all attendees); set, the task adds or removes one attendee
/// mid-window. <paramref name="GrantedPeople"/> lists who an executed main grant gave access to.
/// </summary>
public sealed record ExistingTask(
    Guid Id, Guid SessionId, Guid PolicyId, Guid WindowId, AccessTaskAction Action, Guid? PersonId,
    AccessTaskStatus Status, Instant Target, AccessWindow Window, Guid ZoneId, string? Tag,
    Instant? ExecutedAt, IReadOnlyCollection<Guid> GrantedPeople);

public sealed record NewTask(
    Guid Id, Guid SessionId, Guid PolicyId, Guid WindowId, AccessTaskAction Action, Guid? PersonId,
    AccessTaskStatus Status, Instant Target, Instant MaterializeAt, AccessWindow Window, Guid ZoneId, string? Tag);

/// <summary>An open or failed task that keeps its identity but moves to a new target (a moved session, changed buffers).</summary>
public sealed record Retarget(Guid TaskId, AccessTaskStatus Status, Instant Target, Instant MaterializeAt, AccessWindow Window);

/// <summary>
/// What to change. Superseded tasks leave the session's current window (history of a window that
/// was already opened before the session moved); they keep their status.
/// </summary>
public sealed record TaskPlan(
    IReadOnlyList<NewTask> Creates, IReadOnlyList<Retarget> Retargets, IReadOnlyList<Guid> Cancels, IReadOnlyList<Guid> Supersedes)
{
    public bool IsEmpty => Creates.Count == 0 && Retargets.Count == 0 && Cancels.Count == 0 && Supersedes.Count == 0;
}

/// <summary>
/// Plans the grant and revoke tasks of sessions under a series' policies. Pure: given the sessions,
/// the policies, the current tasks and the instant, it answers which tasks to create, move, cancel
/// or retire. Rules:
/// <list type="bullet">
/// <item>Every session whose window has not ended gets, per active policy, a grant at start − before and a revoke at end + after.</item>
/// <item>Tasks are "not yet scheduled" until the window's grant time is within the horizon, then "pending".</item>
/// <item>A moved session or changed policy moves tasks that have not run. If the grant already ran, that window is retired:
/// its revoke runs now and a new window is planned.</item>
/// <item>A cancelled session, or a deleted policy, cancels tasks that have not run; if the grant already ran, the revoke runs now instead.</item>
/// <item>Inside an opened window, an attendee added gets a one-person grant now; an attendee removed gets a one-person revoke now.</item>
/// </list>
/// </summary>
public static class TaskPlanner
{
    public static TaskPlan Plan(
        IReadOnlyList<SessionPlan> sessions, IReadOnlyList<PolicyPlan> policies, IReadOnlyList<ExistingTask> current,
        Instant now, Duration horizon, Func<Guid>? newId = null)
    {
        var ids = newId ?? SequentialIds.Next;
        var plan = new Builder(now, horizon, ids);
        var byPair = current.ToLookup(t => (t.SessionId, t.PolicyId));
        var policyIds = policies.Select(p => p.PolicyId).ToHashSet();
        // Tasks of policies that no longer exist.
        var orphans = current.Where(t => !policyIds.Contains(t.PolicyId)).ToLookup(t => t.SessionId);
        foreach (var session in sessions)
        {
            foreach (var policy in policies)
                PlanPair(plan, session, policy, byPair[(session.SessionId, policy.PolicyId)].ToList());
            foreach (var orphan in orphans[session.SessionId].GroupBy(t => t.PolicyId))
                plan.Close(orphan.ToList());
        }
        return plan.Build();
    }

    private static void PlanPair(Builder plan, SessionPlan session, PolicyPlan policy, List<ExistingTask> tasks)
    {
        if (session.Cancelled)
        {
            plan.Close(tasks);
            return;
        }
        if (!policy.Active) return;

        var window = policy.Buffers.WindowFor(session.Start, session.End);
        if (tasks.Count == 0)
        {
            if (window.End > plan.Now) plan.CreateWindow(session, policy, window);
            return;
        }

        var same = tasks.All(t => t.Window == window && t.ZoneId == policy.ZoneId && t.Tag == policy.Tag);
        var opened = tasks.Any(t => t.Action == AccessTaskAction.Grant && t.Status == AccessTaskStatus.Executed);
        if (same)
        {
            if (opened) plan.Reconcile(session, policy, window, tasks);
            return;
        }
        if (opened)
        {
            plan.Close(tasks);
            plan.Supersede(tasks);
            if (window.End > plan.Now) plan.CreateWindow(session, policy, window);
            return;
        }
        if (window.End <= plan.Now)
        {
            plan.Close(tasks);
            return;
        }
        if (tasks.Any(t => t.ZoneId != policy.ZoneId || t.Tag != policy.Tag))
        {
            // A new zone or tag is a different grant: replace the unopened window.
            plan.Close(tasks);
            plan.Supersede(tasks);
            plan.CreateWindow(session, policy, window);
            return;
        }
        foreach (var task in tasks.Where(t => t.PersonId is null && t.Status != AccessTaskStatus.Executed))
            plan.Move(task, window);
    }

    private sealed class Builder(Instant now, Duration horizon, Func<Guid> ids)
    {
        private readonly List<NewTask> _creates = [];
        private readonly List<Retarget> _retargets = [];
        private readonly List<Guid> _cancels = [];
        private readonly List<Guid> _supersedes = [];

        public Instant Now => now;

        public TaskPlan Build() => new(_creates, _retargets, _cancels, _supersedes);

        public void CreateWindow(SessionPlan session, PolicyPlan policy, AccessWindow window)
        {
            var windowId = ids();
            var materializeAt = AccessTaskRules.MaterializeAt(window, horizon);
            var status = AccessTaskRules.OpenStatus(AccessTaskStatus.Pending, materializeAt, now);
            _creates.Add(new NewTask(ids(), session.SessionId, policy.PolicyId, windowId, AccessTaskAction.Grant, null, status, window.Start, materializeAt, window, policy.ZoneId, policy.Tag));
            _creates.Add(new NewTask(ids(), session.SessionId, policy.PolicyId, windowId, AccessTaskAction.Revoke, null, status, window.End, materializeAt, window, policy.ZoneId, policy.Tag));
        }

        /// <summary>Stops a window: open grants are cancelled; if access was already given, open revokes run now, otherwise they are cancelled too.</summary>
        public void Close(List<ExistingTask> tasks)
        {
            var opened = tasks.Any(t => t.Action == AccessTaskAction.Grant && t.Status == AccessTaskStatus.Executed);
            foreach (var task in tasks.Where(t => AccessTaskRules.IsOpen(t.Status)))
            {
                if (task.Action == AccessTaskAction.Revoke && opened)
                {
                    if (task.Target > now) _retargets.Add(new Retarget(task.Id, AccessTaskStatus.Pending, now, now, task.Window));
                }
                else
                {
                    _cancels.Add(task.Id);
                }
            }
        }

        public void Supersede(List<ExistingTask> tasks) => _supersedes.AddRange(tasks.Select(t => t.Id));

        public void Move(ExistingTask task, AccessWindow window)
        {
            var target = task.Action == AccessTaskAction.Grant ? window.Start : window.End;
            var materializeAt = AccessTaskRules.MaterializeAt(window, horizon);
            var status = AccessTaskRules.IsOpen(task.Status) ? AccessTaskRules.OpenStatus(task.Status, materializeAt, now) : task.Status;
            _retargets.Add(new Retarget(task.Id, status, target, materializeAt, window));
        }

        /// <summary>Inside an opened window whose revoke has not run, brings the people with access in line with the attendees.</summary>
        public void Reconcile(SessionPlan session, PolicyPlan policy, AccessWindow window, List<ExistingTask> tasks)
        {
            var mainRevoke = tasks.FirstOrDefault(t => t.Action == AccessTaskAction.Revoke && t.PersonId is null);
            if (mainRevoke is null || !AccessTaskRules.IsOpen(mainRevoke.Status) || window.End <= now) return;

            var covered = Coverage(tasks);
            var attendees = session.Attendees.ToHashSet();
            foreach (var task in tasks.Where(t => t.PersonId is not null && AccessTaskRules.IsOpen(t.Status)))
            {
                var wanted = task.Action == AccessTaskAction.Grant ? attendees.Contains(task.PersonId!.Value) : !attendees.Contains(task.PersonId!.Value);
                if (!wanted) _cancels.Add(task.Id);
            }
            var windowId = tasks[0].WindowId;
            foreach (var person in attendees.Where(p => !covered.Contains(p)))
                _creates.Add(new NewTask(ids(), session.SessionId, policy.PolicyId, windowId, AccessTaskAction.Grant, person, AccessTaskStatus.Pending, now, now, window, policy.ZoneId, policy.Tag));
            foreach (var person in covered.Where(p => !attendees.Contains(p)))
                _creates.Add(new NewTask(ids(), session.SessionId, policy.PolicyId, windowId, AccessTaskAction.Revoke, person, AccessTaskStatus.Pending, now, now, window, policy.ZoneId, policy.Tag));
        }

        /// <summary>
        /// Who has (or is about to get) access in this window: the main grant's people, then each
        /// one-person task in execution order; an open one-person task counts as already done, so
        /// re-planning never queues the same change twice.
        /// </summary>
        private static HashSet<Guid> Coverage(List<ExistingTask> tasks)
        {
            var covered = new HashSet<Guid>();
            foreach (var main in tasks.Where(t => t.PersonId is null && t.Action == AccessTaskAction.Grant && t.Status == AccessTaskStatus.Executed))
                covered.UnionWith(main.GrantedPeople);
            var personal = tasks
                .Where(t => t.PersonId is not null && (t.Status == AccessTaskStatus.Executed || AccessTaskRules.IsOpen(t.Status)))
                .OrderBy(t => t.ExecutedAt ?? Instant.MaxValue).ThenBy(t => t.Target);
            foreach (var task in personal)
            {
                if (task.Action == AccessTaskAction.Grant) covered.Add(task.PersonId!.Value);
                else covered.Remove(task.PersonId!.Value);
            }
            return covered;
        }
    }
}
