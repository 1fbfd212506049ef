using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Events;

public sealed record SeriesRequest(Guid SiteId, string Name, string? Description = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Name, "name");
        if (Description is not null) errors.Require(Description.Length <= 2000, "description", "Must be at most 2000 characters.");
    }
}

public sealed record AccessAlert(int FailedTasks, string Message);

public sealed record SeriesResponse(Guid Id, Guid SiteId, string Name, string? Description, int Sessions, int Policies, AccessAlert? Alert);

/// <summary>A session's instants; [startsAt, endsAt), at most 7 days long.</summary>
public sealed record SessionRequest(DateTimeOffset StartsAt, DateTimeOffset EndsAt, string? Title = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(EndsAt > StartsAt, "endsAt", "Must be after startsAt.");
        errors.Require(EndsAt - StartsAt <= TimeSpan.FromDays(7), "endsAt", "A session lasts at most 7 days.");
        if (Title is not null) errors.NotBlank(Title, "title");
    }
}

public sealed record SessionResponse(Guid Id, Guid SeriesId, string? Title, DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool Cancelled, DateTimeOffset? CancelledAt)
{
    public static SessionResponse From(EventSession s) => new(s.Id, s.SeriesId, s.Title, s.StartsAt.ToDateTimeOffset(), s.EndsAt.ToDateTimeOffset(),
        s.CancelledAt is not null, s.CancelledAt?.ToDateTimeOffset());
}

/// <summary>Registers a person for one session, or for the whole series when sessionId is omitted.</summary>
public sealed record AttendeeRequest(Guid PersonId, Guid? SessionId = null) : IValidatable
{
    public void Validate(ValidationErrors errors) => errors.Require(PersonId != Guid.Empty, "personId", "Is required.");
}

public sealed record AttendeeResponse(Guid Id, Guid SeriesId, Guid? SessionId, Guid PersonId, string PersonName);

public sealed record PolicyRequest(Guid ZoneId, int MinutesBefore, int MinutesAfter, string? TemporaryAuthorization = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(ZoneId != Guid.Empty, "zoneId", "Is required: a zone of an access control provider.");
        errors.Require(PolicyBuffers.IsValid(MinutesBefore), "minutesBefore", $"Must be between 0 and {PolicyBuffers.MaxMinutes}.");
        errors.Require(PolicyBuffers.IsValid(MinutesAfter), "minutesAfter", $"Must be between 0 and {PolicyBuffers.MaxMinutes}.");
        if (TemporaryAuthorization is not null) errors.NotBlank(TemporaryAuthorization, "temporaryAuthorization", 100);
    }
}

public sealed record PolicyResponse(
    Guid Id, Guid SeriesId, Guid ZoneId, string ZoneName, bool ZoneActive, Guid ProviderId, string ProviderName,
    int MinutesBefore, int MinutesAfter, string? TemporaryAuthorization);

public sealed record TaskResponse(
    Guid Id, Guid SeriesId, Guid SessionId, Guid PolicyId, string ZoneName, AccessTaskAction Action, Guid? PersonId,
    DateTimeOffset TargetTime, AccessTaskStatus Status, int Retries, DateTimeOffset? NextAttemptAt, DateTimeOffset? ExecutedAt,
    AccessTaskFailure? FailureReason, string? FailureDetail, bool Acknowledged, bool Current,
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd, IReadOnlyList<AccessTaskCommand> Actions)
{
    public static TaskResponse From(AccessTask t, string zoneName) => new(t.Id, t.SeriesId, t.SessionId, t.PolicyId, zoneName, t.Action, t.PersonId,
        t.TargetAt.ToDateTimeOffset(), t.Status, t.RetryCount, t.NextAttemptAt?.ToDateTimeOffset(), t.ExecutedAt?.ToDateTimeOffset(),
        t.FailureReason, t.FailureDetail, t.Acknowledged, t.Current, t.WindowStart.ToDateTimeOffset(), t.WindowEnd.ToDateTimeOffset(),
        AccessTaskRules.AvailableCommands(t.Status, t.Acknowledged));
}

public sealed record FailureResponse(
    TaskResponse Task, string SeriesName, Guid ProviderId, string ProviderName, string Fix);

public sealed record EventAccessSettingsResponse(double MaterializationHorizonHours, int MaxAutomaticRetries, double RetryBaseDelaySeconds);

internal static class Instants
{
    public static Instant ToInstant(this DateTimeOffset value) => Instant.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());
}

/// <summary>Where a re-plan is: reading the series, writing its changed tasks in batches, committed, or rolled back.</summary>
public enum PlanningStage { Loading, Writing, Done, Failed }

/// <summary>
/// A re-plan's progress, streamed as <c>PlanningProgress</c>: <see cref="Written"/> of <see cref="Total"/>
/// changed tasks saved so far (the total is known once the plan is made, from <see cref="PlanningStage.Writing"/> on).
/// </summary>
public sealed record PlanningProgressPayload(Guid SeriesId, PlanningStage Stage, int Written, int Total, DateTimeOffset StartedAt);
