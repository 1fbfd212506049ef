using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Zones;

public static class ZonesApi
{
    public static IEndpointRouteBuilder MapZonesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(ZonesRoutes.Group, "Zones");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.ZonesRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.ZonesRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.ZonesWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.ZonesWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.ZonesWrite);
        return app;
    }

    private static async Task<Paged<ZoneResponse>> List(
        PortierDbContext db, CurrentUser user, Guid? siteId, string? q, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<Zone>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(z => z.Name.Contains(q) || z.Slug.Contains(q));
        return await new PageRequest(page, pageSize).ApplyAsync(query.InSiteByName(siteId, sort, z => z.Name), ZoneResponse.From, ct);
    }

    private static Task<Results<Ok<ZoneResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        db.GetVisibleAsync<Zone, ZoneResponse>(id, user, ZoneResponse.From, "Zone", ct);

    private static async Task<Results<Created<ZoneResponse>, ProblemHttpResult>> Create(
        ZoneRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        var zone = new Zone { SiteId = request.SiteId, Name = request.Name, Slug = "" };
        request.ApplyTo(zone, creating: true);
        if (await SlugTakenAsync(db, zone, ct)) return SlugTaken(zone.Slug);
        db.Add(zone);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/zones/{zone.Id}", ZoneResponse.From(zone));
    }

    private static async Task<Results<Ok<ZoneResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, ZoneRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var zone = await db.FindVisibleAsync<Zone>(id, user, ct);
        if (zone is null) return Problems.NotFound("Zone");
        if (request.SiteId != zone.SiteId) return Problems.SiteImmutable("zone");
        request.ApplyTo(zone, creating: false);
        if (await SlugTakenAsync(db, zone, ct)) return SlugTaken(zone.Slug);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ZoneResponse.From(zone));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var zone = await db.FindVisibleAsync<Zone>(id, user, ct);
        if (zone is null) return Problems.NotFound("Zone");
        if (await db.Set<Door>().AnyAsync(d => d.ZoneId == id, ct))
            return Problems.Conflict("zone_in_use", "Doors lead into this zone; point them elsewhere first.");
        db.Remove(zone);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static Task<bool> SlugTakenAsync(PortierDbContext db, Zone zone, CancellationToken ct) =>
        db.Set<Zone>().AnyAsync(z => z.SiteId == zone.SiteId && z.Slug == zone.Slug && z.Id != zone.Id, ct);

    private static ProblemHttpResult SlugTaken(string slug) =>
        Problems.Conflict("slug_taken", $"Another zone of this site already has the slug '{slug}'.", "slug");
}
