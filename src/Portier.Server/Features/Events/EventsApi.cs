using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portier.Core.EventPolicies;
using Portier.Server.Features.Auth;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.People;
using Portier.Server.Features.Providers;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Events;

/// <summary>Event series, their sessions and attendees. Every change re-plans the series' access tasks.</summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var series = app.MapApiGroup(EventsRoutes.Series, "Events");
        series.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.EventsRead);
        series.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.EventsRead);
        series.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.EventsWrite);
        series.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.EventsWrite);
        series.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.EventsWrite);
        series.MapGet(EventsRoutes.SeriesSessions, Sessions).RequirePermission(Permissions.EventsRead);
        series.MapPost(EventsRoutes.SeriesSessions, AddSession).RequirePermission(Permissions.EventsWrite);
        series.MapGet(EventsRoutes.SeriesAttendees, Attendees).RequirePermission(Permissions.EventsRead);
        series.MapPost(EventsRoutes.SeriesAttendees, AddAttendee).RequirePermission(Permissions.EventsWrite);
        series.MapEventAccessStates();

        var sessions = app.MapApiGroup(EventsRoutes.Sessions, "Events");
        sessions.MapGet(ApiRoutes.Item, GetSession).RequirePermission(Permissions.EventsRead);
        sessions.MapPut(ApiRoutes.Item, MoveSession).RequirePermission(Permissions.EventsWrite);
        sessions.MapPost(EventsRoutes.CancelSession, CancelSession).RequirePermission(Permissions.EventsWrite);

        var attendees = app.MapApiGroup(EventsRoutes.Attendees, "Events");
        attendees.MapDelete(ApiRoutes.Item, RemoveAttendee).RequirePermission(Permissions.EventsWrite);
        return app;
    }

    private static async Task<Paged<SeriesResponse>> List(PortierDbContext db, CurrentUser user, Guid? siteId, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<EventSeries>().AsNoTracking().InSiteByName(siteId, sort, s => s.Name);
        var paged = await new PageRequest(page, pageSize).ApplyAsync(query, s => s, ct);
        var items = new List<SeriesResponse>();
        foreach (var s in paged.Items) items.Add(await ToResponseAsync(db, s, ct));
        return new Paged<SeriesResponse>(items, paged.Page, paged.PageSize, paged.Total);
    }

    private static async Task<Results<Ok<SeriesResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await db.Set<EventSeries>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } series
            ? TypedResults.Ok(await ToResponseAsync(db, series, ct))
            : Problems.NotFound("Event series");

    /// <summary>The series with its alert: how many tasks failed and were not acknowledged.</summary>
    public static async Task<SeriesResponse> ToResponseAsync(PortierDbContext db, EventSeries s, CancellationToken ct)
    {
        var sessions = await db.Set<EventSession>().CountAsync(x => x.SeriesId == s.Id, ct);
        var policies = await db.Set<EventAccessPolicy>().CountAsync(x => x.SeriesId == s.Id, ct);
        var failed = await db.Set<AccessTask>().CountAsync(t => t.SeriesId == s.Id && t.Status == AccessTaskStatus.Failed && !t.Acknowledged, ct);
        var alert = failed == 0 ? null : new AccessAlert(failed, $"{failed} access task(s) failed. Review in Integrations: /api/v1/integrations/failures?seriesId={s.Id}");
        return new SeriesResponse(s.Id, s.SiteId, s.Name, s.Description, sessions, policies, alert);
    }

    private static async Task<Results<Created<SeriesResponse>, ProblemHttpResult>> Create(SeriesRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        var series = new EventSeries { SiteId = request.SiteId, Name = request.Name.Trim(), Description = request.Description };
        db.Add(series);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/event-series/{series.Id}", await ToResponseAsync(db, series, ct));
    }

    private static async Task<Results<Ok<SeriesResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, SeriesRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var series = await db.FindVisibleAsync<EventSeries>(id, user, ct);
        if (series is null) return Problems.NotFound("Event series");
        if (request.SiteId != series.SiteId) return Problems.SiteImmutable("series");
        series.Name = request.Name.Trim();
        series.Description = request.Description;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await ToResponseAsync(db, series, ct));
    }

    /// <summary>A series whose access windows are open cannot be deleted: cancel its sessions first so the revokes run.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var series = await db.FindVisibleAsync<EventSeries>(id, user, ct);
        if (series is null) return Problems.NotFound("Event series");
        if (await db.Set<AccessTask>().AnyAsync(t => t.SeriesId == id && t.Action == AccessTaskAction.Revoke &&
                (t.Status == AccessTaskStatus.Pending || t.Status == AccessTaskStatus.Scheduled || t.Status == AccessTaskStatus.NotYetScheduled) &&
                db.Set<AccessTask>().Any(g => g.WindowId == t.WindowId && g.Action == AccessTaskAction.Grant && g.Status == AccessTaskStatus.Executed), ct))
            return Problems.Conflict("access_windows_open", "Attendees of this series currently hold access; cancel the sessions first so their access is revoked.");
        await db.Set<AccessTask>().Where(t => t.SeriesId == id).ExecuteDeleteAsync(ct);
        db.Remove(series);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<SessionResponse>>, ProblemHttpResult>> Sessions(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.Set<EventSeries>().AnyAsync(s => s.Id == id, ct)) return Problems.NotFound("Event series");
        var sessions = await db.Set<EventSession>().AsNoTracking().Where(s => s.SeriesId == id).OrderBy(s => s.StartsAt).ToListAsync(ct);
        return TypedResults.Ok(sessions.Select(SessionResponse.From).ToList());
    }

    private static async Task<Results<Created<SessionResponse>, ProblemHttpResult>> AddSession(
        Guid id, SessionRequest request, PortierDbContext db, CurrentUser user, EventPlanning planning, CancellationToken ct)
    {
        var series = await db.FindVisibleAsync<EventSeries>(id, user, ct);
        if (series is null) return Problems.NotFound("Event series");
        var session = new EventSession { SiteId = series.SiteId, SeriesId = id, Title = request.Title, StartsAt = request.StartsAt.ToInstant(), EndsAt = request.EndsAt.ToInstant() };
        db.Add(session);
        await planning.SaveAndReplanAsync(db, id, ct);
        return TypedResults.Created($"/api/v1/event-sessions/{session.Id}", SessionResponse.From(session));
    }

    private static Task<Results<Ok<SessionResponse>, ProblemHttpResult>> GetSession(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        db.GetVisibleAsync<EventSession, SessionResponse>(id, user, SessionResponse.From, "Event session", ct);

    /// <summary>Moves (or retitles) a session; its tasks follow.</summary>
    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> MoveSession(
        Guid id, SessionRequest request, PortierDbContext db, CurrentUser user, EventPlanning planning, CancellationToken ct)
    {
        var session = await db.FindVisibleAsync<EventSession>(id, user, ct);
        if (session is null) return Problems.NotFound("Event session");
        if (session.CancelledAt is not null) return Problems.Conflict("session_cancelled", "A cancelled session cannot be moved.");
        session.StartsAt = request.StartsAt.ToInstant();
        session.EndsAt = request.EndsAt.ToInstant();
        session.Title = request.Title;
        await planning.SaveAndReplanAsync(db, session.SeriesId, ct);
        return TypedResults.Ok(SessionResponse.From(session));
    }

    /// <summary>Cancels the session: its tasks that have not run are cancelled; if attendees already hold access, the revoke runs now.</summary>
    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> CancelSession(
        Guid id, PortierDbContext db, CurrentUser user, EventPlanning planning, TimeProvider clock, CancellationToken ct)
    {
        var session = await db.FindVisibleAsync<EventSession>(id, user, ct);
        if (session is null) return Problems.NotFound("Event session");
        session.CancelledAt ??= Infrastructure.ClockExtensions.GetCurrentInstant(clock);
        await planning.SaveAndReplanAsync(db, session.SeriesId, ct);
        return TypedResults.Ok(SessionResponse.From(session));
    }

    private static async Task<Results<Ok<List<AttendeeResponse>>, ProblemHttpResult>> Attendees(Guid id, Guid? sessionId, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.Set<EventSeries>().AnyAsync(s => s.Id == id, ct)) return Problems.NotFound("Event series");
        var rows = await (from a in db.Set<EventAttendee>()
                          join p in db.Set<Person>() on a.PersonId equals p.Id
                          where a.SeriesId == id && (sessionId == null || a.SessionId == null || a.SessionId == sessionId)
                          orderby p.Name
                          select new AttendeeResponse(a.Id, a.SeriesId, a.SessionId, a.PersonId, p.Name)).ToListAsync(ct);
        return TypedResults.Ok(rows);
    }

    private static async Task<Results<Created<AttendeeResponse>, ValidationProblem, ProblemHttpResult>> AddAttendee(
        Guid id, AttendeeRequest request, PortierDbContext db, CurrentUser user, EventPlanning planning, CancellationToken ct)
    {
        var series = await db.FindVisibleAsync<EventSeries>(id, user, ct);
        if (series is null) return Problems.NotFound("Event series");
        var person = await db.Set<Person>().FirstOrDefaultAsync(p => p.Id == request.PersonId && p.SiteId == series.SiteId, ct);
        if (person is null) return Problems.Invalid("unknown_person", "personId", "No person with this id at the series' site.");
        if (request.SessionId is { } sessionId && !await db.Set<EventSession>().AnyAsync(s => s.Id == sessionId && s.SeriesId == id, ct))
            return Problems.Invalid("unknown_session", "sessionId", "No session with this id in the series.");
        if (await db.Set<EventAttendee>().AnyAsync(a => a.SeriesId == id && a.SessionId == request.SessionId && a.PersonId == request.PersonId, ct))
            return Problems.Conflict("already_registered", "This person is already registered.");
        var attendee = new EventAttendee { SiteId = series.SiteId, SeriesId = id, SessionId = request.SessionId, PersonId = request.PersonId };
        db.Add(attendee);
        await planning.SaveAndReplanAsync(db, id, ct);
        return TypedResults.Created($"/api/v1/event-attendees/{attendee.Id}", new AttendeeResponse(attendee.Id, id, attendee.SessionId, person.Id, person.Name));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAttendee(Guid id, PortierDbContext db, CurrentUser user, EventPlanning planning, CancellationToken ct)
    {
        var attendee = await db.FindVisibleAsync<EventAttendee>(id, user, ct);
        if (attendee is null) return Problems.NotFound("Attendee");
        db.Remove(attendee);
        await planning.SaveAndReplanAsync(db, attendee.SeriesId, ct);
        return TypedResults.NoContent();
    }
}

/// <summary>Access policies on a series, the per-session task table, task actions and the integrations failure view. Guarded by Manage Access Control.</summary>
public static class AccessControlApi
{
    public static IEndpointRouteBuilder MapAccessControlApi(this IEndpointRouteBuilder app)
    {
        var series = app.MapApiGroup(EventsRoutes.Series, "Access control");
        series.MapGet(EventsRoutes.SeriesPolicies, Policies).RequirePermission(Permissions.AccessControlManage);
        series.MapPost(EventsRoutes.SeriesPolicies, CreatePolicy).RequirePermission(Permissions.AccessControlManage);
        var policies = app.MapApiGroup(EventsRoutes.Policies, "Access control");
        policies.MapGet(EventsRoutes.TemporaryAuthorizations, TemporaryAuthorizations).RequirePermission(Permissions.AccessControlManage);
        policies.MapPut(ApiRoutes.Item, UpdatePolicy).RequirePermission(Permissions.AccessControlManage);
        policies.MapDelete(ApiRoutes.Item, DeletePolicy).RequirePermission(Permissions.AccessControlManage);
        app.MapApiGroup(EventsRoutes.Sessions, "Access control").MapGet(EventsRoutes.SessionTasks, SessionTasks).RequirePermission(Permissions.AccessControlManage);
        var tasks = app.MapApiGroup(EventsRoutes.Tasks, "Access control");
        tasks.MapGet(ApiRoutes.Item, GetTask).RequirePermission(Permissions.AccessControlManage);
        foreach (var command in Enum.GetValues<AccessTaskCommand>())
        {
            tasks.MapPost(EventsRoutes.TaskCommand(command), (Guid id, PortierDbContext db, CurrentUser user, ILiveEventPublisher live, TimeProvider clock, CancellationToken ct) =>
                Command(id, command, db, user, live, clock, ct)).RequirePermission(Permissions.AccessControlManage);
        }
        var integrations = app.MapApiGroup(EventsRoutes.Integrations, "Access control");
        integrations.MapGet(EventsRoutes.Failures, Failures).RequirePermission(Permissions.AccessControlManage);
        integrations.MapGet(EventsRoutes.EventAccessSettings, Settings).RequirePermission(Permissions.AccessControlManage);
        return app;
    }

    private static IQueryable<PolicyResponse> PolicyRows(PortierDbContext db, System.Linq.Expressions.Expression<Func<EventAccessPolicy, bool>> filter) =>
        from p in db.Set<EventAccessPolicy>().Where(filter)
        join z in db.Set<ProviderZone>() on p.ProviderZoneId equals z.Id
        join v in db.Set<AccessProvider>() on z.ProviderId equals v.Id
        orderby z.Name
        select new PolicyResponse(p.Id, p.SeriesId, z.Id, z.Name, z.Active, v.Id, v.Name, p.MinutesBefore, p.MinutesAfter, p.TemporaryTag);

    private static async Task<Results<Ok<List<PolicyResponse>>, ProblemHttpResult>> Policies(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.Set<EventSeries>().AnyAsync(s => s.Id == id, ct)) return Problems.NotFound("Event series");
        return TypedResults.Ok(await PolicyRows(db, p => p.SeriesId == id).ToListAsync(ct));
    }

    /// <summary>The temporary authorizations the site's policies already grant, sorted, so a new policy picks one rather than retyping it.</summary>
    private static async Task<Results<Ok<List<string>>, ProblemHttpResult>> TemporaryAuthorizations(Guid siteId, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(siteId, user, ct)) return Problems.NotFound("Site");
        var values = await db.Set<EventAccessPolicy>().AsNoTracking()
            .Where(p => p.SiteId == siteId && p.TemporaryTag != null)
            .Select(p => p.TemporaryTag!).Distinct().ToListAsync(ct);
        return TypedResults.Ok(values.Order(StringComparer.OrdinalIgnoreCase).ToList());
    }

    private static async Task<Results<Created<PolicyResponse>, ValidationProblem, ProblemHttpResult>> CreatePolicy(
        Guid id, PolicyRequest request, PortierDbContext db, CurrentUser user, EventPlanning planning, CancellationToken ct)
    {
        var series = await db.FindVisibleAsync<EventSeries>(id, user, ct);
        if (series is null) return Problems.NotFound("Event series");
        if (!await db.Set<AccessProvider>().AnyAsync(p => p.SiteId == series.SiteId, ct))
            return Problems.Conflict("no_providers_configured", "No access control providers configured: add a provider with at least one zone first.");
        if (await CheckZoneAsync(db, series.SiteId, request.ZoneId, ct) is { } invalid) return invalid;
        if (await db.Set<EventAccessPolicy>().AnyAsync(p => p.SeriesId == id && p.ProviderZoneId == request.ZoneId, ct))
            return Problems.Conflict("policy_exists", "This series already has a policy for this zone (one per zone).", "zoneId");
        var policy = new EventAccessPolicy { SiteId = series.SiteId, SeriesId = id };
        Apply(request, policy);
        db.Add(policy);
        await planning.SaveAndReplanAsync(db, id, ct);
        return TypedResults.Created($"/api/v1/event-policies/{policy.Id}", await PolicyRows(db, p => p.Id == policy.Id).FirstAsync(ct));
    }

    private static async Task<Results<Ok<PolicyResponse>, ValidationProblem, ProblemHttpResult>> UpdatePolicy(
        Guid id, PolicyRequest request, PortierDbContext db, CurrentUser user, EventPlanning planning, CancellationToken ct)
    {
        var policy = await db.FindVisibleAsync<EventAccessPolicy>(id, user, ct);
        if (policy is null) return Problems.NotFound("Event access policy");
        if (await CheckZoneAsync(db, policy.SiteId, request.ZoneId, ct) is { } invalid) return invalid;
        if (await db.Set<EventAccessPolicy>().AnyAsync(p => p.SeriesId == policy.SeriesId && p.ProviderZoneId == request.ZoneId && p.Id != id, ct))
            return Problems.Conflict("policy_exists", "This series already has a policy for this zone (one per zone).", "zoneId");
        Apply(request, policy);
        await planning.SaveAndReplanAsync(db, policy.SeriesId, ct);
        return TypedResults.Ok(await PolicyRows(db, p => p.Id == id).FirstAsync(ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeletePolicy(Guid id, PortierDbContext db, CurrentUser user, EventPlanning planning, CancellationToken ct)
    {
        var policy = await db.FindVisibleAsync<EventAccessPolicy>(id, user, ct);
        if (policy is null) return Problems.NotFound("Event access policy");
        db.Remove(policy);
        await planning.SaveAndReplanAsync(db, policy.SeriesId, ct);
        return TypedResults.NoContent();
    }

    private static void Apply(PolicyRequest request, EventAccessPolicy policy)
    {
        policy.ProviderZoneId = request.ZoneId;
        policy.MinutesBefore = request.MinutesBefore;
        policy.MinutesAfter = request.MinutesAfter;
        policy.TemporaryTag = request.TemporaryAuthorization?.Trim();
    }

    private static async Task<ValidationProblem?> CheckZoneAsync(PortierDbContext db, Guid siteId, Guid zoneId, CancellationToken ct)
    {
        var zone = await (from z in db.Set<ProviderZone>()
                          join p in db.Set<AccessProvider>() on z.ProviderId equals p.Id
                          where z.Id == zoneId && p.SiteId == siteId
                          select z).FirstOrDefaultAsync(ct);
        if (zone is null) return Problems.Invalid("unknown_zone", "zoneId", "No provider zone with this id at the series' site.");
        return zone.Active ? null : Problems.Invalid("zone_inactive", "zoneId", "This zone is inactive: it disappeared from its provider.");
    }

    /// <summary>The session's task table: action, target time, status, retries and the actions available now.</summary>
    private static async Task<Results<Ok<List<TaskResponse>>, ProblemHttpResult>> SessionTasks(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.Set<EventSession>().AnyAsync(s => s.Id == id, ct)) return Problems.NotFound("Event session");
        var rows = await (from t in db.Set<AccessTask>().AsNoTracking()
                          join z in db.Set<ProviderZone>() on t.ProviderZoneId equals z.Id
                          where t.SessionId == id
                          select new { t, z.Name }).ToListAsync(ct);
        return TypedResults.Ok(rows.OrderBy(r => r.t.TargetAt).ThenBy(r => r.t.Action).Select(r => TaskResponse.From(r.t, r.Name)).ToList());
    }

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> GetTask(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var row = await (from t in db.Set<AccessTask>().AsNoTracking()
                         join z in db.Set<ProviderZone>() on t.ProviderZoneId equals z.Id
                         where t.Id == id
                         select new { t, z.Name }).FirstOrDefaultAsync(ct);
        return row is null ? Problems.NotFound("Access task") : TypedResults.Ok(TaskResponse.From(row.t, row.Name));
    }

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> Command(
        Guid id, AccessTaskCommand command, PortierDbContext db, CurrentUser user, ILiveEventPublisher live, TimeProvider clock, CancellationToken ct)
    {
        var task = await db.Set<AccessTask>().FirstOrDefaultAsync(t => t.Id == id, ct);
        if (task is null) return Problems.NotFound("Access task");
        if (!task.Allows(command))
            return Problems.Conflict("task_action_not_allowed", $"A task that is {Snake(task.Status)} cannot be {command switch
            {
                AccessTaskCommand.Cancel => "cancelled",
                AccessTaskCommand.Retry => "retried",
                _ => "acknowledged",
            }}.");
        switch (command)
        {
            case AccessTaskCommand.Cancel: task.Cancel(); break;
            case AccessTaskCommand.Retry: task.Retry(); break;
            case AccessTaskCommand.Acknowledge: task.Acknowledge(); break;
            default: throw new ArgumentOutOfRangeException(nameof(command));
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("task_running", "The task is running right now; try again in a moment.");
        }
        var zone = await db.Set<ProviderZone>().Where(z => z.Id == task.ProviderZoneId).Select(z => z.Name).FirstAsync(ct);
        var response = TaskResponse.From(task, zone);
        live.Publish([AccessTaskEvents.Announce(task.SiteId, response, clock.GetCurrentInstant())]);
        return TypedResults.Ok(response);
    }

    private static string Snake(AccessTaskStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    /// <summary>The integrations view: failed tasks with details and the manual's fix for their cause; acknowledged ones only on request.</summary>
    private static async Task<Paged<FailureResponse>> Failures(
        PortierDbContext db, CurrentUser user, Guid? seriesId, Guid? providerId, bool? includeAcknowledged, int? page, int? pageSize, CancellationToken ct)
    {
        var query = from t in db.Set<AccessTask>().AsNoTracking()
                    join z in db.Set<ProviderZone>() on t.ProviderZoneId equals z.Id
                    join p in db.Set<AccessProvider>() on t.ProviderId equals p.Id
                    join s in db.Set<EventSeries>() on t.SeriesId equals s.Id
                    where t.Status == AccessTaskStatus.Failed && (includeAcknowledged == true || !t.Acknowledged)
                          && (seriesId == null || t.SeriesId == seriesId) && (providerId == null || t.ProviderId == providerId)
                    orderby t.LastAttemptAt descending, t.Id
                    select new { t, Zone = z.Name, Series = s.Name, ProviderId = p.Id, Provider = p.Name };
        return await new PageRequest(page, pageSize).ApplyAsync(query,
            r => new FailureResponse(TaskResponse.From(r.t, r.Zone), r.Series, r.ProviderId, r.Provider, Fix(r.t.FailureReason)), ct);
    }

    public static string Fix(AccessTaskFailure? failure) => failure switch
    {
        AccessTaskFailure.ProviderCredentialsExpired => "Open the provider, update its credentials, then use Test Connection before retrying.",
        AccessTaskFailure.ProviderUnreachable => "Check that the URL is correct and publicly accessible, then test it with Test Connection before retrying.",
        AccessTaskFailure.ZoneRemoved => "Re-sync the provider's zones or check whether the zone was deleted; the zone shows as inactive on affected policies.",
        AccessTaskFailure.RateLimited => "The provider limited the rate of calls; wait a few minutes and retry.",
        AccessTaskFailure.Missed => "The access window passed while the server was down; acknowledge it, or grant access by hand if the event was extended.",
        AccessTaskFailure.ProviderError => "The provider reported an error; check its status, then retry.",
        null => "",
        _ => "",
    };

    private static EventAccessSettingsResponse Settings(IOptions<EventAccessOptions> options) =>
        new(options.Value.MaterializationHorizon.TotalHours, options.Value.MaxAutomaticRetries, options.Value.RetryBaseDelay.TotalSeconds);
}
