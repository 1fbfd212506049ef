using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Alarms;

/// <summary>A door alarm names its door; another alarm its subject (the endpoint or task its kind names) and a detail.</summary>
public sealed record AlarmResponse(
    Guid Id, Guid? SiteId, Guid? DoorId, AlarmKind Kind, bool Standing, DateTimeOffset RaisedAt, DateTimeOffset? ClearedAt,
    DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, Guid? SubjectId = null, string? Detail = null)
{
    public static AlarmResponse From(Alarm a) => new(a.Id, a.SiteId, a.DoorId, a.Kind, a.ClearedAt is null,
        a.RaisedAt.ToDateTimeOffset(), a.ClearedAt?.ToDateTimeOffset(), a.AcknowledgedAt?.ToDateTimeOffset(), a.AcknowledgedBy, a.SubjectId, a.Detail);
}

public static class AlarmsApi
{
    public static IEndpointRouteBuilder MapAlarmsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(AlarmsRoutes.Group, "Alarms");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.AlarmsRead);
        group.MapPost(AlarmsRoutes.Acknowledge, Acknowledge).RequirePermission(Permissions.AlarmsWrite);
        return app;
    }

    /// <summary>
    /// Newest first. <c>siteId</c>: the site's alarms and those of no site (they concern every site);
    /// <c>standing</c>: not yet cleared (true) or cleared (false); <c>unacknowledged</c>: not yet acknowledged.
    /// </summary>
    private static Task<Paged<AlarmResponse>> List(
        PortierDbContext db, CurrentUser user, Guid? siteId, Guid? doorId, bool? standing, bool? unacknowledged, int? page, int? pageSize,
        CancellationToken ct)
    {
        var query = db.Set<Alarm>().AsNoTracking();
        if (siteId is not null) query = query.Where(a => a.SiteId == siteId || a.SiteId == null);
        if (doorId is not null) query = query.Where(a => a.DoorId == doorId);
        if (standing is { } s) query = query.Where(a => (a.ClearedAt == null) == s);
        if (unacknowledged is { } u) query = query.Where(a => (a.AcknowledgedAt == null) == u);
        query = query.OrderByDescending(a => a.RaisedAt).ThenByDescending(a => a.Id);
        return new PageRequest(page, pageSize).ApplyAsync(query, AlarmResponse.From, ct);
    }

    /// <summary>Acknowledges once, recording who; a standing alarm stays standing until its cause ends (the door closes).</summary>
    private static async Task<Results<Ok<AlarmResponse>, ProblemHttpResult>> Acknowledge(
        Guid id, PortierDbContext db, CurrentUser user, TimeProvider clock, IDoorEventPublisher events, CancellationToken ct)
    {
        var alarms = db.Set<Alarm>().Where(a => a.Id == id);
        if (!await alarms.AnyAsync(ct)) return Problems.NotFound("Alarm");
        var now = clock.GetCurrentInstant();
        var actor = user.Actor;
        // Conditional, so two operators acknowledging at once get one success and one conflict.
        var acknowledged = await alarms.Where(a => a.AcknowledgedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.AcknowledgedAt, now).SetProperty(a => a.AcknowledgedBy, actor), ct);
        if (acknowledged == 0) return Problems.Conflict("already_acknowledged", "The alarm was already acknowledged.");
        var response = AlarmResponse.From(await alarms.AsNoTracking().SingleAsync(ct));
        await events.AlarmAcknowledgedAsync(response, ct);
        return TypedResults.Ok(response);
    }
}

public static class AlarmsExtensions
{
    /// <summary>Door supervision and its alarms. A live-stream publisher registered earlier replaces the logging one.</summary>
    public static IServiceCollection AddPortierAlarms(this IServiceCollection services)
    {
        services.TryAddSingleton<IDoorEventPublisher, LoggingDoorEventPublisher>();
        services.AddSingleton<DoorSupervision>();
        services.AddSingleton<SystemAlarms>();
        services.AddHostedService<DoorSupervisionTicker>();
        return services;
    }
}
