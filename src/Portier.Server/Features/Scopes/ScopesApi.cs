using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Grants;
using Portier.Server.Features.Qualifications;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Scopes;

public static class ScopesApi
{
    public static IEndpointRouteBuilder MapScopesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(ScopesRoutes.Group, "Access scopes");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.ScopesRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.ScopesRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.ScopesWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.ScopesWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.ScopesWrite);
        group.MapPut(ScopesRoutes.Door, AddDoor).RequirePermission(Permissions.ScopesWrite);
        group.MapDelete(ScopesRoutes.Door, RemoveDoor).RequirePermission(Permissions.ScopesWrite);
        return app;
    }

    private static async Task<Paged<ScopeResponse>> List(
        PortierDbContext db, CurrentUser user, Guid? siteId, Guid? doorId, string? q, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<AccessScope>().AsNoTracking();
        if (doorId is { } door) query = query.Where(s => s.DoorIds.Contains(door));
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(s => s.Name.Contains(q));
        return await new PageRequest(page, pageSize).ApplyAsync(query.InSiteByName(siteId, sort, s => s.Name), ScopeResponse.From, ct);
    }

    private static Task<Results<Ok<ScopeResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        db.GetVisibleAsync<AccessScope, ScopeResponse>(id, user, ScopeResponse.From, "Scope", ct);

    private static async Task<Results<Created<ScopeResponse>, ValidationProblem, ProblemHttpResult>> Create(
        ScopeRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        var scope = new AccessScope { SiteId = request.SiteId, Name = request.Name };
        request.ApplyTo(scope);
        if (await UnknownDoorsAsync(db, scope, ct) is { } unknown) return unknown;
        if (await QualificationRequirements.UnknownAsync(db, scope.SiteId, request.RequiredQualificationIds, ct) is { } unknownQualification) return unknownQualification;
        if (await NameTakenAsync(db, scope, ct) is { } taken) return taken;
        db.Add(scope);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/scopes/{scope.Id}", ScopeResponse.From(scope));
    }

    private static async Task<Results<Ok<ScopeResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, ScopeRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var scope = await db.FindVisibleAsync<AccessScope>(id, user, ct);
        if (scope is null) return Problems.NotFound("Scope");
        if (request.SiteId != scope.SiteId) return Problems.SiteImmutable("scope");
        request.ApplyTo(scope);
        if (await UnknownDoorsAsync(db, scope, ct) is { } unknown) return unknown;
        if (await QualificationRequirements.UnknownAsync(db, scope.SiteId, request.RequiredQualificationIds, ct) is { } unknownQualification) return unknownQualification;
        if (await NameTakenAsync(db, scope, ct) is { } taken) return taken;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ScopeResponse.From(scope));
    }

    /// <summary>Removes the scope and, in the same save, takes it out of every grant that lists it.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var scope = await db.FindVisibleAsync<AccessScope>(id, user, ct);
        if (scope is null) return Problems.NotFound("Scope");
        await db.RemoveFromListsAsync<Grant>(scope.SiteId, id, g => g.ScopeIds, ct);
        db.Remove(scope);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Adds one door; adding a door the scope already holds changes nothing. Another site's door answers 404.</summary>
    private static async Task<Results<Ok<ScopeResponse>, ProblemHttpResult>> AddDoor(
        Guid id, Guid doorId, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var scope = await db.FindVisibleAsync<AccessScope>(id, user, ct);
        if (scope is null) return Problems.NotFound("Scope");
        if ((await db.NotInSiteAsync<Door>(scope.SiteId, [doorId], ct)).Count > 0) return Problems.NotFound("Door");
        if (!scope.DoorIds.Contains(doorId))
        {
            scope.DoorIds = [.. scope.DoorIds, doorId];
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(ScopeResponse.From(scope));
    }

    /// <summary>Removes one door; removing a door the scope does not hold changes nothing.</summary>
    private static async Task<Results<Ok<ScopeResponse>, ProblemHttpResult>> RemoveDoor(
        Guid id, Guid doorId, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var scope = await db.FindVisibleAsync<AccessScope>(id, user, ct);
        if (scope is null) return Problems.NotFound("Scope");
        if (scope.DoorIds.Contains(doorId))
        {
            scope.DoorIds = scope.DoorIds.Where(d => d != doorId).ToList();
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(ScopeResponse.From(scope));
    }

    private static async Task<ValidationProblem?> UnknownDoorsAsync(PortierDbContext db, AccessScope scope, CancellationToken ct) =>
        await db.NotInSiteAsync<Door>(scope.SiteId, scope.DoorIds, ct) is { Count: > 0 } unknown
            ? Problems.Invalid("unknown_door", "doorIds", $"Not doors of this scope's site: {string.Join(", ", unknown)}.")
            : null;

    private static async Task<ProblemHttpResult?> NameTakenAsync(PortierDbContext db, AccessScope scope, CancellationToken ct) =>
        await db.Set<AccessScope>().AnyAsync(s => s.SiteId == scope.SiteId && s.Name == scope.Name && s.Id != scope.Id, ct)
            ? Problems.Conflict("name_taken", $"Another scope of this site is already named '{scope.Name}'.", "name")
            : null;
}
