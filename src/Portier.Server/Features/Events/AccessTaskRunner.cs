using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.People;
using Portier.Server.Features.Providers;
using Portier.Server.Features.Telemetry;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Logging;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Events;

public sealed record RunSummary(int Materialized, int Executed, int Failed, int Retrying);

/// <summary>
/// Runs due access tasks. One pass (<see cref="RunDueAsync"/>) at the clock's current instant:
/// tasks entering the horizon become pending, pending tasks of a healthy provider become scheduled,
/// then due tasks are claimed (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>; SQLite: one conditional
/// UPDATE, atomic because SQLite serializes writers) with a token and a lease, and executed one by
/// one. Completing a task checks the token, so a runner that lost its lease cannot overwrite
/// another's result. A claim left behind by a crash expires with its lease and the task runs again;
/// the provider call carries the task id as its idempotency key, so it is never applied twice.
/// Revokes are claimed ahead of grants, so when a provider comes back after an outage the access
/// that should have ended is taken away first; a revoke its provider never confirms raises an alarm.
/// </summary>
public sealed partial class AccessTaskRunner(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<EventAccessOptions> options, WebhookProviderClient providers,
    WebhookOutbox outbox, ILiveEventPublisher live, SystemAlarms alarms, ILogger<AccessTaskRunner> logger)
{
    private EventAccessOptions Options => options.Value;

    public async Task<RunSummary> RunDueAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var materialized = await MaterializeAsync(now, ct);
        int executed = 0, failed = 0, retrying = 0;
        while (!ct.IsCancellationRequested)
        {
            var token = Guid.NewGuid();
            var claimed = await ClaimDueAsync(token, now, Options.BatchSize, ct);
            // Claimed tasks run a few at a time, windows with a revoke first, but the tasks of one window run
            // one after another (target time, revokes first), so they never race for the same attendee's hold.
            await Parallel.ForEachAsync(await ByWindowAsync(claimed, ct), new ParallelOptions { MaxDegreeOfParallelism = Options.Parallelism, CancellationToken = ct },
                async (window, innerCt) =>
                {
                    foreach (var id in window)
                    {
                        switch (await ExecuteAsync(id, token, innerCt))
                        {
                            case AccessTaskStatus.Executed: Interlocked.Increment(ref executed); break;
                            case AccessTaskStatus.Failed: Interlocked.Increment(ref failed); break;
                            case AccessTaskStatus.Pending or AccessTaskStatus.Scheduled: Interlocked.Increment(ref retrying); break;
                            default: break;
                        }
                    }
                });
            if (claimed.Count < Options.BatchSize) break;
        }
        return new RunSummary(materialized, executed, failed, retrying);
    }

    private async Task<List<List<Guid>>> ByWindowAsync(IReadOnlyList<Guid> claimed, CancellationToken ct)
    {
        if (claimed.Count == 0) return [];
        await using var scope = scopes.CreateAsyncScope();
        var ids = claimed.ToList();
        var tasks = await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<AccessTask>()
            .Where(t => ids.Contains(t.Id)).Select(t => new { t.Id, t.WindowId, t.TargetAt, t.Action }).ToListAsync(ct);
        return tasks.GroupBy(t => t.WindowId)
            .OrderByDescending(w => w.Any(t => t.Action == AccessTaskAction.Revoke))
            .ThenBy(w => w.Min(t => t.TargetAt))
            .Select(w => w.OrderBy(t => t.TargetAt).ThenByDescending(t => t.Action).Select(t => t.Id).ToList())
            .ToList();
    }

    /// <summary>Not yet scheduled → pending inside the horizon; pending → scheduled when the provider is not known to be failing and the zone is active.</summary>
    private async Task<int> MaterializeAsync(Instant now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await AccessTaskTransitions.MaterializeAsync(scope.ServiceProvider.GetRequiredService<PortierDbContext>(), now, ct);
    }

    /// <summary>Claims up to <paramref name="max"/> due tasks for <paramref name="token"/>; exposed so tests can stage a crash after the claim.</summary>
    internal async Task<IReadOnlyList<Guid>> ClaimDueAsync(Guid token, Instant now, int max, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var lease = now + Duration.FromTimeSpan(Options.ClaimLease);
        return await AccessTaskTransitions.ClaimDueAsync(scope.ServiceProvider.GetRequiredService<PortierDbContext>(), token, now, lease, max, ct);
    }

    /// <summary>Runs one claimed task and records the outcome; answers the task's new status, or null when the claim was lost.</summary>
    internal async Task<AccessTaskStatus?> ExecuteAsync(Guid taskId, Guid token, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var task = await db.Set<AccessTask>().FirstOrDefaultAsync(t => t.Id == taskId && t.ClaimToken == token, ct);
        // Cancelled since it was claimed: it is not run, and no outcome is recorded over the cancel.
        if (task is null || !AccessTaskRules.CanRecordOutcome(task.Status)) return null;
        var now = clock.GetCurrentInstant();
        PortierMetrics.RecordTaskLateness(task.Action, task.RetryCount > 0, task.TargetAt, now); // telemetry
        if (AccessTaskRules.IsMissed(task.Action, task.Window, now))
        {
            task.MarkFailed(AccessTaskFailure.Missed, "The grant was due while the server was down and its access window has passed; it was not sent.", now);
            var zoneName = await db.Set<ProviderZone>().Where(z => z.Id == task.ProviderZoneId).Select(z => z.Name).FirstAsync(ct);
            return await CompleteAsync(db, task, zoneName, ct);
        }

        var provider = await db.Set<AccessProvider>().FirstAsync(p => p.Id == task.ProviderId, ct);
        var zone = await db.Set<ProviderZone>().FirstAsync(z => z.Id == task.ProviderZoneId, ct);
        var people = await PeopleAsync(db, task, ct);
        ProviderResult result;
        try
        {
            result = provider.Kind switch
            {
                ProviderKind.BuiltIn => task.Action == AccessTaskAction.Grant
                    ? await BuiltInProvider.GrantAsync(db, task, zone, people, ct)
                    : await BuiltInProvider.RevokeAsync(db, task, ct),
                ProviderKind.Webhook => await CallWebhookAsync(db, provider, zone, task, people, ct),
                _ => throw new InvalidOperationException($"Unknown provider kind {provider.Kind}."),
            };
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or HttpRequestException)
        {
            LogExecutionError(logger, task.Id, e);
            result = new ProviderResult(new ProviderOutcome(false, AccessTaskFailure.ProviderError, true), $"Unexpected error: {e.Message}");
        }

        // A call that succeeds after the provider was failing: the tasks waiting out a backoff are due now.
        var recovered = result.Outcome.Succeeded && provider.Kind == ProviderKind.Webhook && provider.Health == ProviderHealth.Unhealthy;
        var at = clock.GetCurrentInstant();
        Record(task, provider, zone, result, people, at);
        var status = await CompleteAsync(db, task, zone.Name, ct);
        if (recovered && status is not null) await AccessTaskTransitions.RetryNowAsync(db, provider.Id, at, ct);
        return status;
    }

    private void Record(AccessTask task, AccessProvider provider, ProviderZone zone, ProviderResult result, IReadOnlyList<Guid> people, Instant now)
    {
        if (result.Outcome.Succeeded)
        {
            task.MarkExecuted(now, task.Action == AccessTaskAction.Grant ? people : []);
            if (provider.Kind == ProviderKind.Webhook && provider.Health != ProviderHealth.Healthy) provider.RecordHealth(ProviderHealth.Healthy, "Last call succeeded.", now);
            return;
        }
        var failure = result.Outcome.Failure ?? AccessTaskFailure.ProviderError;
        if (failure == AccessTaskFailure.ZoneRemoved) zone.Active = false;
        if (failure is AccessTaskFailure.ProviderCredentialsExpired or AccessTaskFailure.ProviderUnreachable)
            provider.RecordHealth(ProviderHealth.Unhealthy, result.Detail, now);
        var next = AccessTaskRules.NextAttempt(task.RetryCount, Duration.FromTimeSpan(Options.RetryBaseDelay), result.RetryAfter, now);
        if (AccessTaskRules.RetriesAgain(task.Action, result.Outcome, task.RetryCount, Options.MaxAutomaticRetries, task.TargetAt, task.Window,
                Duration.FromTimeSpan(Options.RevokeRetryPeriod), next))
        {
            task.ScheduleRetry(failure, $"{result.Detail} Retrying automatically at {next}.", now, next);
            return;
        }
        var detail = task.RetryCount > 0 ? $"{result.Detail} Gave up after {task.RetryCount} automatic retries." : result.Detail;
        task.MarkFailed(failure, detail, now);
        LogTaskFailed(logger, task.Id, failure, LogSafe.Escape(detail));
    }

    /// <summary>
    /// Saves the outcome with its webhook (task.succeeded, task.failed) in the same save, then streams it.
    /// A failed revoke raises a <see cref="AlarmKind.RevocationFailed"/> alarm in that save; the same
    /// revoke executing later (after Retry) clears it.
    /// </summary>
    private async Task<AccessTaskStatus?> CompleteAsync(PortierDbContext db, AccessTask task, string zoneName, CancellationToken ct)
    {
        try
        {
            var now = clock.GetCurrentInstant();
            var announcement = AccessTaskEvents.Announce(task.SiteId, TaskResponse.From(task, zoneName), now);
            await outbox.AddAsync(db, [announcement], ct);
            List<Alarm?> touched = task switch
            {
                { Action: AccessTaskAction.Revoke, Status: AccessTaskStatus.Failed } =>
                    [await alarms.RaiseAsync(db, AlarmKind.RevocationFailed, task.SiteId, task.Id, RevocationFailedDetail(task, zoneName), now, ct)],
                { Action: AccessTaskAction.Revoke, Status: AccessTaskStatus.Executed, RetryCount: > 0 } =>
                    [.. await alarms.ClearAsync(db, AlarmKind.RevocationFailed, task.Id, now, ct)],
                _ => [],
            };
            await db.SaveChangesAsync(ct);
            live.Publish([announcement]);
            await alarms.PublishAsync(touched, ct);
            return task.Status;
        }
        catch (DbUpdateConcurrencyException)
        {
            return null; // Another runner took the task over after this one's lease expired.
        }
        catch (DbUpdateException e)
        {
            // The claim stays and expires with its lease; the task then runs again (idempotently).
            LogSaveFailed(logger, task.Id, e);
            return null;
        }
    }

    private static string RevocationFailedDetail(AccessTask task, string zoneName) =>
        $"The revoke of event access to {zoneName} (window {task.WindowStart} to {task.WindowEnd}) was not confirmed by its provider: " +
        $"{task.FailureDetail} Its attendees may keep access in the provider's system. Fix the provider, then Retry task {task.Id}.";

    /// <summary>A main grant reaches everyone registered now; a revoke, everyone its window's grants reached; a one-person task, that person.</summary>
    private static async Task<IReadOnlyList<Guid>> PeopleAsync(PortierDbContext db, AccessTask task, CancellationToken ct)
    {
        if (task.PersonId is { } person) return [person];
        if (task.Action == AccessTaskAction.Grant)
        {
            var seriesId = task.SeriesId;
            var sessionId = task.SessionId;
            return await db.Set<EventAttendee>()
                .Where(a => a.SeriesId == seriesId && (a.SessionId == null || a.SessionId == sessionId))
                .Select(a => a.PersonId).Distinct().ToListAsync(ct);
        }
        var granted = await db.Set<AccessTask>()
            .Where(t => t.WindowId == task.WindowId && t.Action == AccessTaskAction.Grant && t.Status == AccessTaskStatus.Executed)
            .Select(t => new { t.PersonId, t.GrantedPeople }).ToListAsync(ct);
        return granted.SelectMany(g => g.GrantedPeople).Distinct().ToList();
    }

    private async Task<ProviderResult> CallWebhookAsync(PortierDbContext db, AccessProvider provider, ProviderZone zone, AccessTask task, IReadOnlyList<Guid> people, CancellationToken ct)
    {
        var attendees = await db.Set<Person>().Where(p => people.Contains(p.Id))
            .Select(p => new WebhookAttendee(p.Id, p.Name, p.Email, p.ExternalId)).ToListAsync(ct);
        var payload = new WebhookTaskPayload(
            task.Action == AccessTaskAction.Grant ? "access.grant" : "access.revoke",
            task.Id, task.WindowId, task.SeriesId, task.SessionId,
            new WebhookZone(zone.ExternalId, zone.Name),
            task.WindowStart.ToDateTimeOffset(), task.WindowEnd.ToDateTimeOffset(), task.Tag, attendees);
        return await providers.SendAsync(provider, task.Id.ToString(), payload, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access task {TaskId} failed: {Reason}: {Detail}")]
    private static partial void LogTaskFailed(ILogger logger, Guid taskId, AccessTaskFailure reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access task {TaskId} could not be saved; it runs again when its claim expires")]
    private static partial void LogSaveFailed(ILogger logger, Guid taskId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Access task {TaskId} hit an unexpected error")]
    private static partial void LogExecutionError(ILogger logger, Guid taskId, Exception exception);
}

public sealed record WebhookZone(string Id, string Name);

public sealed record WebhookAttendee(Guid Id, string Name, string? Email, string? ExternalId);

/// <summary>The body of a grant or revoke call to a webhook provider.</summary>
public sealed record WebhookTaskPayload(
    string Type, Guid TaskId, Guid WindowId, Guid SeriesId, Guid SessionId, WebhookZone Zone,
    DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, string? TemporaryAuthorization, IReadOnlyList<WebhookAttendee> Attendees);

/// <summary>
/// Keeps the runner going: a pass every <see cref="EventAccessOptions.PollInterval"/> of the injected clock.
/// Runs on every server node without a lease: each task is claimed by one runner (row lock, token, lease
/// of its own) and the horizon moves by conditional updates, so the nodes share the work.
/// </summary>
public sealed class AccessTaskRunnerService(AccessTaskRunner runner, TimeProvider clock, IOptions<EventAccessOptions> options, ILogger<AccessTaskRunnerService> logger)
    : PeriodicWorker(logger)
{
    protected override TimeProvider Clock => clock;

    protected override TimeSpan Interval => options.Value.PollInterval;

    protected override bool Enabled => options.Value.RunnerEnabled;

    protected override async Task<Instant?> RunPassAsync(CancellationToken ct)
    {
        await runner.RunDueAsync(ct);
        return null;
    }
}
