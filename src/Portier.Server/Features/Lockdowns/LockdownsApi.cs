using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.People;
using Portier.Server.Features.Scopes;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Lockdowns;

/// <summary>Lockdown and evacuation plans: CRUD, start and end, and an evacuation's muster list.</summary>
public static class LockdownsApi
{
    public static IEndpointRouteBuilder MapLockdownsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(LockdownsRoutes.Group, "Lockdowns");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.LockdownsRead);
        group.MapGet(LockdownsRoutes.Active, Active).RequirePermission(Permissions.LockdownsRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.LockdownsRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.LockdownsWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.LockdownsWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.LockdownsWrite);
        group.MapPost(LockdownsRoutes.Start, Start).RequirePermission(Permissions.LockdownsStart);
        group.MapPost(LockdownsRoutes.End, End).RequirePermission(Permissions.LockdownsStart);
        group.MapGet(LockdownsRoutes.Muster, Muster).RequirePermission(Permissions.LockdownsRead);
        group.MapPut(LockdownsRoutes.MusterPerson, Account).RequirePermission(Permissions.LockdownsStart);
        group.MapDelete(LockdownsRoutes.MusterPerson, Unaccount).RequirePermission(Permissions.LockdownsStart);
        return app;
    }

    private static async Task<Paged<LockdownPlanResponse>> List(
        PortierDbContext db, Guid? siteId, bool? active, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<LockdownPlan>().AsNoTracking();
        if (active is { } on) query = on ? query.Where(p => p.StartedAt != null) : query.Where(p => p.StartedAt == null);
        return await new PageRequest(page, pageSize).ApplyAsync(query.InSiteByName(siteId, sort, p => p.Name), LockdownPlanResponse.From, ct);
    }

    /// <summary>
    /// Every active plan the caller may see, highest rank first: what the console's banner shows. With
    /// <paramref name="doorId"/>, only the plan that governs that door (the highest ranked covering it), if any.
    /// </summary>
    private static async Task<Ok<List<LockdownPlanResponse>>> Active(PortierDbContext db, PolicySnapshotStore policy, Guid? siteId, Guid? doorId, CancellationToken ct)
    {
        var plans = await ActivePlansAsync(db, siteId, ct);
        if (doorId is { } door)
        {
            var governing = (await policy.GetAsync(ct)).LockdownAt(door)?.PlanId;
            plans = [.. plans.Where(p => p.Id == governing)];
        }
        return TypedResults.Ok(plans.Select(LockdownPlanResponse.From).ToList());
    }

    public static async Task<List<LockdownPlan>> ActivePlansAsync(PortierDbContext db, Guid? siteId, CancellationToken ct)
    {
        var query = db.Set<LockdownPlan>().AsNoTracking().Where(p => p.StartedAt != null);
        if (siteId is { } site) query = query.Where(p => p.SiteId == site);
        return [.. (await query.ToListAsync(ct)).OrderByDescending(p => p.Rank).ThenBy(p => p.StartedAt).ThenBy(p => p.Id)];
    }

    private static Task<Results<Ok<LockdownPlanResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        db.GetVisibleAsync<LockdownPlan, LockdownPlanResponse>(id, user, LockdownPlanResponse.From, "Plan", ct);

    private static async Task<Results<Created<LockdownPlanResponse>, ValidationProblem, ProblemHttpResult>> Create(
        LockdownPlanRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        var plan = new LockdownPlan { SiteId = request.SiteId, Name = request.Name };
        request.ApplyTo(plan);
        if (await UnknownReferenceAsync(db, plan, ct) is { } unknown) return unknown;
        if (await NameTakenAsync(db, plan, ct) is { } taken) return taken;
        db.Add(plan);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"{ApiRoutes.Prefix}{LockdownsRoutes.Group}/{plan.Id}", LockdownPlanResponse.From(plan));
    }

    private static async Task<Results<Ok<LockdownPlanResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, LockdownPlanRequest request, PortierDbContext db, CurrentUser user, LockdownControl control, CancellationToken ct)
    {
        var plan = await db.FindVisibleAsync<LockdownPlan>(id, user, ct);
        if (plan is null) return Problems.NotFound("Plan");
        if (request.SiteId != plan.SiteId) return Problems.SiteImmutable("plan");
        request.ApplyTo(plan);
        if (await UnknownReferenceAsync(db, plan, ct) is { } unknown) return unknown;
        if (await NameTakenAsync(db, plan, ct) is { } taken) return taken;
        await db.SaveChangesAsync(ct);
        if (plan.IsActive) await control.ApplyAsync(ct);
        return TypedResults.Ok(LockdownPlanResponse.From(plan));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var plan = await db.FindVisibleAsync<LockdownPlan>(id, user, ct);
        if (plan is null) return Problems.NotFound("Plan");
        if (plan.IsActive) return Problems.Conflict("plan_active", "An active plan cannot be deleted; end it first.");
        db.Remove(plan);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<LockdownPlanResponse>, ProblemHttpResult>> Start(
        Guid id, PortierDbContext db, CurrentUser user, LockdownControl control, CancellationToken ct)
    {
        var plan = await db.FindVisibleAsync<LockdownPlan>(id, user, ct);
        if (plan is null) return Problems.NotFound("Plan");
        if (!await control.StartAsync(plan, user.Actor, ct))
            return Problems.Conflict("plan_already_active", "The plan is already active.");
        return TypedResults.Ok(LockdownPlanResponse.From(plan));
    }

    private static async Task<Results<Ok<LockdownPlanResponse>, ProblemHttpResult>> End(
        Guid id, PortierDbContext db, CurrentUser user, LockdownControl control, CancellationToken ct)
    {
        var plan = await db.FindVisibleAsync<LockdownPlan>(id, user, ct);
        if (plan is null) return Problems.NotFound("Plan");
        if (!await control.EndAsync(plan, user.Actor, ct))
            return Problems.Conflict("plan_not_active", "The plan is not active.");
        return TypedResults.Ok(LockdownPlanResponse.From(plan));
    }

    private static async Task<Results<Ok<MusterResponse>, ProblemHttpResult>> Muster(
        Guid id, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var plan = await db.FindVisibleAsync<LockdownPlan>(id, user, ct);
        if (plan is null) return Problems.NotFound("Plan");
        if (plan.Kind != Core.Policy.LockdownKind.Evacuation)
            return Problems.Conflict("not_an_evacuation", "Only an evacuation plan keeps a muster list.");
        return TypedResults.Ok(await MusterList.ReadAsync(db, plan, clock.GetCurrentInstant(), ct));
    }

    private static async Task<Results<Ok<MusterResponse>, ProblemHttpResult>> Account(
        Guid id, Guid personId, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct) =>
        await MarkAsync(id, personId, accounted: true, db, user, clock, ct);

    private static async Task<Results<Ok<MusterResponse>, ProblemHttpResult>> Unaccount(
        Guid id, Guid personId, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct) =>
        await MarkAsync(id, personId, accounted: false, db, user, clock, ct);

    /// <summary>A marshal ticks a person off (or back on); marking someone twice changes nothing.</summary>
    private static async Task<Results<Ok<MusterResponse>, ProblemHttpResult>> MarkAsync(
        Guid id, Guid personId, bool accounted, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var plan = await db.FindVisibleAsync<LockdownPlan>(id, user, ct);
        if (plan is null) return Problems.NotFound("Plan");
        if (plan.Kind != Core.Policy.LockdownKind.Evacuation)
            return Problems.Conflict("not_an_evacuation", "Only an evacuation plan keeps a muster list.");
        if (!plan.IsActive) return Problems.Conflict("plan_not_active", "The muster list is kept while the evacuation is active.");
        var now = clock.GetCurrentInstant();
        var list = await MusterList.ReadAsync(db, plan, now, ct);
        if (list.People.All(p => p.PersonId != personId)) return Problems.NotFound("Person on the muster list");
        var mark = await db.Set<MusterMark>().FirstOrDefaultAsync(m => m.PlanId == id && m.PersonId == personId, ct);
        if (accounted && mark is null)
            db.Add(new MusterMark { PlanId = id, SiteId = plan.SiteId, PersonId = personId, AccountedAt = now, AccountedBy = user.Actor });
        else if (!accounted && mark is not null)
            db.Remove(mark);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await MusterList.ReadAsync(db, plan, now, ct));
    }

    private static async Task<ValidationProblem?> UnknownReferenceAsync(PortierDbContext db, LockdownPlan plan, CancellationToken ct)
    {
        if (await db.NotInSiteAsync<AccessScope>(plan.SiteId, plan.ScopeIds, ct) is { Count: > 0 } scopes)
            return Problems.Invalid("unknown_scope", "scopeIds", $"Not scopes of this plan's site: {string.Join(", ", scopes)}.");
        if (await db.NotInSiteAsync<Door>(plan.SiteId, plan.DoorIds, ct) is { Count: > 0 } doors)
            return Problems.Invalid("unknown_door", "doorIds", $"Not doors of this plan's site: {string.Join(", ", doors)}.");
        if (await db.NotInSiteAsync<Person>(plan.SiteId, plan.ResponderPersonIds, ct) is { Count: > 0 } people)
            return Problems.Invalid("unknown_person", "responderPersonIds", $"Not people of this plan's site: {string.Join(", ", people)}.");
        if (await db.NotInSiteAsync<Device>(plan.SiteId, plan.TriggerDeviceIds, ct) is { Count: > 0 } devices)
            return Problems.Invalid("unknown_device", "triggerDeviceIds", $"Not controllers of this plan's site: {string.Join(", ", devices)}.");
        return null;
    }

    private static async Task<ProblemHttpResult?> NameTakenAsync(PortierDbContext db, LockdownPlan plan, CancellationToken ct) =>
        await db.Set<LockdownPlan>().AnyAsync(p => p.SiteId == plan.SiteId && p.Name == plan.Name && p.Id != plan.Id, ct)
            ? Problems.Conflict("name_taken", $"Another plan of this site is already named '{plan.Name}'.", "name")
            : null;
}
