using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Features.Audit;
using Portier.Server.Features.People;
using Portier.Server.Features.Providers;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Features.Decisions;

namespace Portier.Server.Features.Events;

/// <summary>A recurring event; access policies are set on the series, not per session.</summary>
public sealed class EventSeries : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string Name { get; set; }
    public string? Description { get; set; }
}

/// <summary>One dated occurrence of a series: [StartsAt, EndsAt).</summary>
public sealed class EventSession : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid SeriesId { get; init; }
    public string? Title { get; set; }
    public Instant StartsAt { get; set; }
    public Instant EndsAt { get; set; }
    public Instant? CancelledAt { get; set; }
}

/// <summary>A person registered for one session, or for every session of the series when SessionId is null.</summary>
public sealed class EventAttendee : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid SeriesId { get; init; }
    public Guid? SessionId { get; init; }
    public Guid PersonId { get; init; }
}

/// <summary>On a series: a provider zone, buffers before and after (0–480 min), and an optional temporary authorization tag.</summary>
public sealed class EventAccessPolicy : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid SeriesId { get; init; }
    public Guid ProviderZoneId { get; set; }
    public int MinutesBefore { get; set; }
    public int MinutesAfter { get; set; }
    public string? TemporaryTag { get; set; }
}

/// <summary>
/// One grant or revoke for one session window under one policy. Lives in the database so it survives
/// restarts; a runner claims it with a token and a lease before calling the provider.
/// </summary>
public sealed class AccessTask : ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid SeriesId { get; init; }
    public Guid SessionId { get; init; }
    public Guid PolicyId { get; init; }
    public Guid ProviderId { get; init; }
    public Guid ProviderZoneId { get; init; }
    /// <summary>Groups the grant, the revoke and the one-person tasks of one access window.</summary>
    public Guid WindowId { get; init; }
    public AccessTaskAction Action { get; init; }
    /// <summary>Null: every attendee of the session. Set: one attendee added or removed mid-window.</summary>
    public Guid? PersonId { get; init; }
    public string? Tag { get; init; }
    public AccessTaskStatus Status { get; private set; }
    /// <summary>False once the session moved after this task's window opened: history, still run if open.</summary>
    public bool Current { get; private set; } = true;
    public Instant TargetAt { get; private set; }
    public Instant MaterializeAt { get; private set; }
    public Instant WindowStart { get; private set; }
    public Instant WindowEnd { get; private set; }
    public int RetryCount { get; private set; }
    public Instant? NextAttemptAt { get; private set; }
    public Instant? LastAttemptAt { get; private set; }
    public Instant? ExecutedAt { get; private set; }
    public AccessTaskFailure? FailureReason { get; private set; }
    public string? FailureDetail { get; private set; }
    public bool Acknowledged { get; private set; }
    /// <summary>Who an executed grant gave access to.</summary>
    public List<Guid> GrantedPeople { get; private set; } = [];
    public Guid? ClaimToken { get; private set; }
    public Instant? ClaimedUntil { get; private set; }

    public AccessWindow Window => new(WindowStart, WindowEnd);

    /// <summary>A planned task, in the open status the planner chose for it.</summary>
    public static AccessTask Planned(
        Guid id, Guid siteId, Guid seriesId, Guid sessionId, Guid policyId, Guid providerId, Guid providerZoneId, Guid windowId,
        AccessTaskAction action, Guid? personId, string? tag, AccessTaskStatus status, Instant targetAt, Instant materializeAt, AccessWindow window)
    {
        if (!AccessTaskRules.IsOpen(status)) throw new TransitionRefusedException("invalid_transition", $"A task is planned open, not {status}.");
        return new AccessTask
        {
            Id = id, SiteId = siteId, SeriesId = seriesId, SessionId = sessionId, PolicyId = policyId, ProviderId = providerId,
            ProviderZoneId = providerZoneId, WindowId = windowId, Action = action, PersonId = personId, Tag = tag,
            Status = status, TargetAt = targetAt, MaterializeAt = materializeAt, WindowStart = window.Start, WindowEnd = window.End,
        };
    }

    public bool Allows(AccessTaskCommand command) => AccessTaskRules.Allows(Status, Acknowledged, command);

    /// <summary>Stops a task that has not run.</summary>
    public void Cancel()
    {
        Require(AccessTaskRules.IsOpen(Status), "cancel");
        Status = AccessTaskStatus.Cancelled;
    }

    /// <summary>Queues a failed task again: it runs on the next pass, with one more retry counted.</summary>
    public void Retry()
    {
        Require(Allows(AccessTaskCommand.Retry), "retry");
        Status = AccessTaskStatus.Pending;
        RetryCount++;
        NextAttemptAt = null;
        Acknowledged = false;
        ReleaseClaim();
    }

    public void Acknowledge()
    {
        Require(Allows(AccessTaskCommand.Acknowledge), "acknowledge");
        Acknowledged = true;
    }

    /// <summary>Moves a task that has not run to a new target (a moved session, changed buffers, a revoke brought forward).</summary>
    public void Retarget(AccessTaskStatus status, Instant targetAt, Instant materializeAt, AccessWindow window)
    {
        Require(AccessTaskRules.CanRetarget(Status, status), $"retarget to {status}");
        Status = status;
        TargetAt = targetAt;
        MaterializeAt = materializeAt;
        WindowStart = window.Start;
        WindowEnd = window.End;
    }

    /// <summary>Leaves the session's current window: history of a window opened before the session moved.</summary>
    public void Supersede() => Current = false;

    public void MarkExecuted(Instant at, IReadOnlyCollection<Guid> granted)
    {
        Require(AccessTaskRules.CanRecordOutcome(Status), "record an execution");
        Status = AccessTaskStatus.Executed;
        ExecutedAt = at;
        LastAttemptAt = at;
        FailureReason = null;
        FailureDetail = null;
        GrantedPeople = [.. granted];
        ReleaseClaim();
    }

    public void MarkFailed(AccessTaskFailure reason, string detail, Instant at)
    {
        Require(AccessTaskRules.CanRecordOutcome(Status), "record a failure");
        Status = AccessTaskStatus.Failed;
        FailureReason = reason;
        FailureDetail = detail;
        LastAttemptAt = at;
        Acknowledged = false;
        ReleaseClaim();
    }

    /// <summary>An automatic retry (rate limit, transient error): stays open, runs again at <paramref name="next"/>.</summary>
    public void ScheduleRetry(AccessTaskFailure reason, string detail, Instant at, Instant next)
    {
        Require(AccessTaskRules.CanRecordOutcome(Status), "schedule a retry");
        RetryCount++;
        FailureReason = reason;
        FailureDetail = detail;
        LastAttemptAt = at;
        NextAttemptAt = next;
        ReleaseClaim();
    }

    private void Require(bool allowed, string what)
    {
        if (!allowed)
            throw new TransitionRefusedException("invalid_transition",
                $"Access task {Id} cannot {what} while {Status.ToString().ToLowerInvariant()}{(Acknowledged ? " and acknowledged" : "")}.");
    }

    private void ReleaseClaim()
    {
        ClaimToken = null;
        ClaimedUntil = null;
    }
}

/// <summary>
/// What the built-in provider gave one attendee for one window: a temporary grant and, when the
/// policy has one, a temporary authorization tag. The snapshot loader adds held tags to the
/// person's tags, so synced and custom tags are never touched; the revoke deletes the hold and its grant.
/// </summary>
public sealed class EventAccessHold : IPolicyDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid WindowId { get; init; }
    public Guid PersonId { get; init; }
    public Guid GrantId { get; init; }
    public string? Tag { get; set; }
    public Instant ValidFrom { get; set; }
    public Instant ValidUntil { get; set; }
}

internal sealed class EventSeriesConfiguration : IEntityTypeConfiguration<EventSeries>
{
    public void Configure(EntityTypeBuilder<EventSeries> b)
    {
        b.ToTable("event_series");
        b.HasOne<Site>().WithMany().HasForeignKey(s => s.SiteId).OnDelete(DeleteBehavior.Restrict);
        b.Property(s => s.Name).HasMaxLength(200);
        b.Property(s => s.Description).HasMaxLength(2000);
    }
}

internal sealed class EventSessionConfiguration : IEntityTypeConfiguration<EventSession>
{
    public void Configure(EntityTypeBuilder<EventSession> b)
    {
        b.ToTable("event_sessions");
        b.HasOne<EventSeries>().WithMany().HasForeignKey(s => s.SeriesId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(s => new { s.SeriesId, s.StartsAt });
        b.Property(s => s.Title).HasMaxLength(200);
    }
}

internal sealed class EventAttendeeConfiguration : IEntityTypeConfiguration<EventAttendee>
{
    public void Configure(EntityTypeBuilder<EventAttendee> b)
    {
        b.ToTable("event_attendees");
        b.HasOne<EventSeries>().WithMany().HasForeignKey(a => a.SeriesId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Person>().WithMany().HasForeignKey(a => a.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => new { a.SeriesId, a.SessionId, a.PersonId }).IsUnique();
    }
}

internal sealed class EventAccessPolicyConfiguration : IEntityTypeConfiguration<EventAccessPolicy>
{
    public void Configure(EntityTypeBuilder<EventAccessPolicy> b)
    {
        b.ToTable("event_access_policies");
        b.HasOne<EventSeries>().WithMany().HasForeignKey(p => p.SeriesId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<ProviderZone>().WithMany().HasForeignKey(p => p.ProviderZoneId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(p => new { p.SeriesId, p.ProviderZoneId }).IsUnique();
        b.Property(p => p.TemporaryTag).HasMaxLength(100);
    }
}

internal sealed class AccessTaskConfiguration : IEntityTypeConfiguration<AccessTask>
{
    public void Configure(EntityTypeBuilder<AccessTask> b)
    {
        b.ToTable("access_tasks");
        b.HasIndex(t => new { t.Status, t.TargetAt });
        b.HasIndex(t => new { t.Status, t.MaterializeAt });
        b.HasIndex(t => new { t.SessionId, t.PolicyId });
        b.HasIndex(t => new { t.SeriesId, t.Status });
        b.Property(t => t.Tag).HasMaxLength(100);
        b.Property(t => t.FailureDetail).HasMaxLength(1000);
        b.Property(t => t.GrantedPeople).HasJsonConversion();
        b.Property(t => t.ClaimToken).IsConcurrencyToken();
    }
}

internal sealed class EventAccessHoldConfiguration : IEntityTypeConfiguration<EventAccessHold>
{
    public void Configure(EntityTypeBuilder<EventAccessHold> b)
    {
        b.ToTable("event_access_holds");
        b.HasIndex(h => new { h.WindowId, h.PersonId }).IsUnique();
        b.HasIndex(h => h.PersonId);
        b.Property(h => h.Tag).HasMaxLength(100);
    }
}
