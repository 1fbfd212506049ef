using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Decisions;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Access;
using Portier.Server.Features.Auth;
using Portier.Server.Features.People;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Passback;

public static class PassbackRoutes
{
    public const string Settings = "/{id:guid}/passback";
    public const string Forgive = "/{id:guid}/passback/forgive";
    public const string Presences = "/{id:guid}/presences";
}

public static class PassbackApi
{
    /// <summary>Presences and their forgiveness (by hand and nightly), and the stream and webhook events of violations. The presence reservation itself is the access pipeline's.</summary>
    public static IServiceCollection AddPortierPassback(this IServiceCollection services)
    {
        services.AddSingleton<PassbackForgiver>();
        services.AddSingleton<NightlyForgiveness>();
        services.AddHostedService(sp => sp.GetRequiredService<NightlyForgiveness>());
        services.AddSingleton<IAccessEventSink, PassbackViolationSink>();
        return services;
    }

    public static IEndpointRouteBuilder MapPassbackApi(this IEndpointRouteBuilder app)
    {
        var zones = app.MapApiGroup(ZonesRoutes.Group, "Anti-passback");
        zones.MapGet(PassbackRoutes.Settings, Get).RequirePermission(Permissions.ZonesRead);
        zones.MapPut(PassbackRoutes.Settings, Set).RequirePermission(Permissions.ZonesWrite);
        zones.MapPost(PassbackRoutes.Forgive, Forgive).RequirePermission(Permissions.ZonesWrite);
        zones.MapGet(PassbackRoutes.Presences, Presences).RequirePermission(Permissions.ZonesRead);
        return app;
    }

    private static async Task<Results<Ok<PassbackSettingsResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await db.FindVisibleAsync<Zone>(id, user, ct) is { } zone ? TypedResults.Ok(PassbackSettingsResponse.From(zone)) : Problems.NotFound("Zone");

    /// <summary>Sets the zone's anti-passback; the change is in the audit trail and in the next policy and controller bundles.</summary>
    private static async Task<Results<Ok<PassbackSettingsResponse>, ProblemHttpResult>> Set(
        Guid id, PassbackSettingsRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var zone = await db.FindVisibleAsync<Zone>(id, user, ct);
        if (zone is null) return Problems.NotFound("Zone");
        request.ApplyTo(zone, clock.GetCurrentInstant());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(PassbackSettingsResponse.From(zone));
    }

    /// <summary>Forgives one person, or everyone, in the zone: their next passage either way is no violation.</summary>
    private static async Task<Results<Ok<ForgivenessResponse>, ProblemHttpResult>> Forgive(
        Guid id, ForgiveRequest? request, PortierDbContext db, CurrentUser user, PassbackForgiver forgiver, CancellationToken ct)
    {
        var zone = await db.FindVisibleAsync<Zone>(id, user, ct);
        if (zone is null) return Problems.NotFound("Zone");
        if (request?.PersonId is { } personId && await db.FindVisibleAsync<Person>(personId, user, ct) is null)
            return Problems.NotFound("Person");
        return TypedResults.Ok(ForgivenessResponse.From(await forgiver.ForgiveAsync(db, zone, request?.PersonId, nightly: false, ct)));
    }

    /// <summary>Who the zone's anti-passback knows, most recent passage first; <c>state</c> filters (e.g. <c>inside</c>).</summary>
    private static async Task<Results<Ok<Paged<PresenceResponse>>, ProblemHttpResult>> Presences(
        Guid id, string? state, int? page, int? pageSize, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var wanted = Enum.GetValues<PresenceState>().Where(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()) == state).Select(v => (PresenceState?)v).FirstOrDefault();
        if (state is not null && wanted is null) return Problems.BadRequest("invalid_filter", "state must be inside, outside or unknown.", "state");
        if (await db.FindVisibleAsync<Zone>(id, user, ct) is null) return Problems.NotFound("Zone");
        var presences = db.Set<ZonePresenceRecord>().AsNoTracking().Where(p => p.ZoneId == id);
        if (wanted is { } only) presences = presences.Where(p => p.State == only);
        var rows = presences.OrderByDescending(p => p.LastPassAt)
            .GroupJoin(db.Set<Person>().IgnoreQueryFilters(), p => p.PersonId, person => person.Id, (p, people) => new { p, people })
            .SelectMany(x => x.people.DefaultIfEmpty(), (x, person) => new { Presence = x.p, Name = person == null ? null : person.Name });
        return TypedResults.Ok(await new PageRequest(page, pageSize).ApplyAsync(rows, r => new PresenceResponse(
            r.Presence.PersonId, r.Name, r.Presence.State, r.Presence.LastPassAt?.ToDateTimeOffset(),
            r.Presence.LastPassEntered is { } entered ? entered ? "entry" : "exit" : null, r.Presence.LastEntryAt?.ToDateTimeOffset()), ct));
    }
}
