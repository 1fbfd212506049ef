using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Features.People;
using Portier.Server.Features.Scopes;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Grants;

public static class GrantsApi
{
    public static IEndpointRouteBuilder MapGrantsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(GrantsRoutes.Group, "Grants");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.GrantsRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.GrantsRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.GrantsWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.GrantsWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.GrantsWrite);
        app.MapApiGroup(PeopleRoutes.Group, "Grants").MapGet(GrantsRoutes.ForPerson, ListForPerson).RequirePermission(Permissions.GrantsRead);
        return app;
    }

    private static async Task<Paged<GrantResponse>> List(
        PortierDbContext db, CurrentUser user, Guid? siteId, Guid? personId, Guid? doorId, Guid? scopeId, bool? siteWide,
        string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<Grant>().AsNoTracking();
        if (siteId is not null) query = query.Where(g => g.SiteId == siteId);
        if (personId is not null) query = query.Where(g => g.PersonId == personId);
        if (doorId is { } door) query = query.Where(g => g.DoorIds.Contains(door));
        if (scopeId is { } scope) query = query.Where(g => g.ScopeIds.Contains(scope));
        if (siteWide is not null) query = query.Where(g => g.SiteWide == siteWide);
        query = sort == "-createdAt"
            ? query.OrderByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id)
            : query.OrderBy(g => g.CreatedAt).ThenBy(g => g.Id);
        return await new PageRequest(page, pageSize).ApplyAsync(query, GrantResponse.From, ct);
    }

    private static Task<Results<Ok<Paged<GrantResponse>>, ProblemHttpResult>> ListForPerson(
        Guid id, PortierDbContext db, CurrentUser user, string? sort, int? page, int? pageSize, CancellationToken ct) =>
        db.ForPersonAsync(user, id, () => List(db, user, null, id, null, null, null, sort, page, pageSize, ct), ct);

    private static async Task<Results<Ok<GrantResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await db.Set<Grant>().AsNoTracking().FirstOrDefaultAsync(g => g.Id == id, ct) is { } grant
            ? TypedResults.Ok(GrantResponse.From(grant))
            : Problems.NotFound("Grant");

    private static async Task<Results<Created<GrantResponse>, ProblemHttpResult>> Create(
        GrantRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var siteId = await db.SiteOfPersonAsync(user, request.PersonId, ct);
        if (siteId is null) return PersonReferences.UnknownPerson();
        if (await CheckTargetsAsync(db, siteId.Value, request, ct) is { } problem) return problem;
        var grant = new Grant { SiteId = siteId.Value, PersonId = request.PersonId, CreatedAt = Instant.FromDateTimeOffset(clock.GetUtcNow()) };
        request.ApplyTo(grant);
        db.Add(grant);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/grants/{grant.Id}", GrantResponse.From(grant));
    }

    private static async Task<Results<Ok<GrantResponse>, ProblemHttpResult>> Update(
        Guid id, GrantRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var grant = await db.Set<Grant>().FirstOrDefaultAsync(g => g.Id == id, ct);
        if (grant is null) return Problems.NotFound("Grant");
        if (request.PersonId != grant.PersonId)
            return Problems.BadRequest("person_change_not_allowed", "A grant cannot move to another person; create a new one.", "personId");
        if (await CheckTargetsAsync(db, grant.SiteId, request, ct) is { } problem) return problem;
        request.ApplyTo(grant);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(GrantResponse.From(grant));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var grant = await db.Set<Grant>().FirstOrDefaultAsync(g => g.Id == id, ct);
        if (grant is null) return Problems.NotFound("Grant");
        db.Remove(grant);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Doors and scopes must exist at the person's site; another site's id is as unknown as a made-up one.</summary>
    private static async Task<ProblemHttpResult?> CheckTargetsAsync(PortierDbContext db, Guid siteId, GrantRequest request, CancellationToken ct)
    {
        if (await FirstMissingAsync(db.Set<Door>(), siteId, request.DoorIds, ct) is { } door)
            return Problems.BadRequest("unknown_door", $"Door {door} does not exist at this person's site.", "doorIds");
        if (await FirstMissingAsync(db.Set<AccessScope>(), siteId, request.ScopeIds, ct) is { } scope)
            return Problems.BadRequest("unknown_scope", $"Scope {scope} does not exist at this person's site.", "scopeIds");
        return null;
    }

    private static async Task<Guid?> FirstMissingAsync<T>(IQueryable<T> set, Guid siteId, IReadOnlyList<Guid>? ids, CancellationToken ct)
        where T : class, IAudited, ISiteOwned
    {
        if (ids is null || ids.Count == 0) return null;
        var wanted = ids.Distinct().ToList();
        var found = await set.Where(e => e.SiteId == siteId && wanted.Contains(e.Id)).Select(e => e.Id).ToListAsync(ct);
        return wanted.Except(found).Cast<Guid?>().FirstOrDefault();
    }
}
