using Portier.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Features.People;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Sites;

public static class SitesApi
{
    public static IEndpointRouteBuilder MapSitesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(SitesRoutes.Group, "Sites");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.SitesRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.SitesRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.SitesWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.SitesWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.SitesWrite);
        return app;
    }

    private static async Task<Paged<SiteResponse>> List(
        PortierDbContext db, CurrentUser user, string? q, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<Site>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(s => s.Name.Contains(q));
        query = sort switch
        {
            "-name" => query.OrderByDescending(s => s.Name),
            "createdAt" => query.OrderBy(s => s.CreatedAt),
            "-createdAt" => query.OrderByDescending(s => s.CreatedAt),
            _ => query.OrderBy(s => s.Name).ThenBy(s => s.Id),
        };
        return await new PageRequest(page, pageSize).ApplyAsync(query, SiteResponse.From, ct);
    }

    private static async Task<Results<Ok<SiteResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await db.Set<Site>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } site
            ? TypedResults.Ok(SiteResponse.From(site))
            : Problems.NotFound("Site");

    private static async Task<Results<Created<SiteResponse>, ProblemHttpResult>> Create(
        SiteRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        if (user.VisibleSites is not null)
            return Problems.Make(StatusCodes.Status403Forbidden, "site_limited", "A token limited to some sites cannot create sites.");
        var now = clock.GetCurrentInstant();
        var site = new Site { Name = request.Name, TimeZone = request.TimeZone, CreatedAt = now, UpdatedAt = now };
        request.ApplyTo(site);
        db.Add(site);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/sites/{site.Id}", SiteResponse.From(site));
    }

    private static async Task<Results<Ok<SiteResponse>, ProblemHttpResult>> Update(
        Guid id, SiteRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var site = await db.Set<Site>().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (site is null) return Problems.NotFound("Site");
        request.ApplyTo(site);
        site.UpdatedAt = clock.GetCurrentInstant();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(SiteResponse.From(site));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var site = await db.Set<Site>().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (site is null) return Problems.NotFound("Site");
        var inUse = await db.Set<Door>().AnyAsync(d => d.SiteId == id, ct)
            || await db.Set<Zone>().AnyAsync(z => z.SiteId == id, ct)
            || await db.Set<AccessScope>().AnyAsync(s => s.SiteId == id, ct)
            || await db.Set<Person>().AnyAsync(p => p.SiteId == id, ct);
        if (inUse) return Problems.Conflict("site_not_empty", "Delete the site's doors, zones, scopes and people first.");
        db.Remove(site);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
