using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Model;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Invites;

/// <summary>Entry types (invite templates) and points of entry: the configuration an invite is built from.</summary>
public static class EntryTypesApi
{
    public static IEndpointRouteBuilder MapEntryTypesApi(this IEndpointRouteBuilder app)
    {
        var types = app.MapModuleGroup(EntryTypesRoutes.Group, "Entry types");
        types.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.EntryTypesRead);
        types.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.EntryTypesRead);
        types.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.EntryTypesCreate);
        types.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.EntryTypesUpdate);
        types.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.EntryTypesDelete);

        var poes = app.MapModuleGroup(EntryTypesRoutes.PointsOfEntry, "Points of entry");
        poes.MapGet(ApiRoutes.Root, ListPointsOfEntry).RequirePermission(Permissions.PointsOfEntryRead);
        poes.MapGet(ApiRoutes.Item, GetPointOfEntry).RequirePermission(Permissions.PointsOfEntryRead);
        poes.MapPost(ApiRoutes.Root, CreatePointOfEntry).RequirePermission(Permissions.PointsOfEntryCreate);
        poes.MapPut(ApiRoutes.Item, UpdatePointOfEntry).RequirePermission(Permissions.PointsOfEntryUpdate);
        poes.MapDelete(ApiRoutes.Item, DeletePointOfEntry).RequirePermission(Permissions.PointsOfEntryDelete);
        return app;
    }

    private static async Task<Paged<EntryTypeResponse>> List(
        PortierDbContext db, CurrentUser user, Guid? siteId, bool? active, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<EntryType>().AsNoTracking().VisibleTo(user);
        if (active is not null) query = query.Where(e => e.Active == active);
        return await new PageRequest(page, pageSize).ApplyAsync(query.InSiteByName(siteId, sort, e => e.Name), EntryTypeResponse.From, ct);
    }

    private static Task<Results<Ok<EntryTypeResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        db.GetVisibleAsync<EntryType, EntryTypeResponse>(id, user, EntryTypeResponse.From, "Entry type", ct);

    private static async Task<Results<Created<EntryTypeResponse>, ValidationProblem, ProblemHttpResult>> Create(
        EntryTypeRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        if (await UnknownPointsOfEntryAsync(db, request, ct) is { } unknown) return unknown;
        var entryType = new EntryType { SiteId = request.SiteId, Name = request.Name };
        request.ApplyTo(entryType);
        db.Add(entryType);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/entry-types/{entryType.Id}", EntryTypeResponse.From(entryType));
    }

    private static async Task<Results<Ok<EntryTypeResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, EntryTypeRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var entryType = await db.FindVisibleAsync<EntryType>(id, user, ct);
        if (entryType is null) return Problems.NotFound("Entry type");
        if (request.SiteId != entryType.SiteId) return Problems.SiteImmutable("entry type");
        if (await UnknownPointsOfEntryAsync(db, request, ct) is { } unknown) return unknown;
        request.ApplyTo(entryType);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(EntryTypeResponse.From(entryType));
    }

    /// <summary>An entry type invites were made from stays, so their history reads; deactivate it instead.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var entryType = await db.FindVisibleAsync<EntryType>(id, user, ct);
        if (entryType is null) return Problems.NotFound("Entry type");
        if (await db.Set<Invite>().AnyAsync(i => i.EntryTypeId == id, ct))
            return Problems.Conflict("entry_type_in_use", "Invites were made from this entry type; set it inactive instead.");
        db.Remove(entryType);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<ValidationProblem?> UnknownPointsOfEntryAsync(PortierDbContext db, EntryTypeRequest request, CancellationToken ct)
    {
        var wanted = request.AllowedPointOfEntryIds ?? [];
        if (wanted.Count == 0) return null;
        var found = await db.Set<Door>().CountAsync(d => d.SiteId == request.SiteId && d.IsPointOfEntry && wanted.Contains(d.Id), ct);
        return found == wanted.Count ? null
            : Problems.Invalid("unknown_point_of_entry", "allowedPointOfEntryIds", "Every entry must be a point of entry of the entry type's site.");
    }

    private static IQueryable<Door> PointsOfEntry(PortierDbContext db, CurrentUser user) =>
        db.Set<Door>().VisibleTo(user).Where(d => d.IsPointOfEntry);

    private static async Task<Paged<PointOfEntryResponse>> ListPointsOfEntry(
        PortierDbContext db, CurrentUser user, Guid? siteId, bool? active, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = PointsOfEntry(db, user).AsNoTracking();
        if (active is not null) query = query.Where(d => d.PointOfEntryActive == active);
        return await new PageRequest(page, pageSize).ApplyAsync(query.InSiteByName(siteId, sort, d => d.Name), PointOfEntryResponse.From, ct);
    }

    private static async Task<Results<Ok<PointOfEntryResponse>, ProblemHttpResult>> GetPointOfEntry(
        Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await PointsOfEntry(db, user).AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) is { } door
            ? TypedResults.Ok(PointOfEntryResponse.From(door))
            : Problems.NotFound("Point of entry");

    private static async Task<Results<Created<PointOfEntryResponse>, ProblemHttpResult>> CreatePointOfEntry(
        PointOfEntryRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        var door = new Door { SiteId = request.SiteId, Name = request.Name, Kind = DoorKind.Gate, IsPointOfEntry = true };
        request.ApplyTo(door);
        db.Add(door);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/points-of-entry/{door.Id}", PointOfEntryResponse.From(door));
    }

    private static async Task<Results<Ok<PointOfEntryResponse>, ValidationProblem, ProblemHttpResult>> UpdatePointOfEntry(
        Guid id, PointOfEntryRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var door = await PointsOfEntry(db, user).FirstOrDefaultAsync(d => d.Id == id, ct);
        if (door is null) return Problems.NotFound("Point of entry");
        if (request.SiteId != door.SiteId) return Problems.Invalid("location_immutable", "siteId", "A point of entry's location is fixed once created.");
        request.ApplyTo(door);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(PointOfEntryResponse.From(door));
    }

    /// <summary>Takes the point-of-entry flag off the door and the door out of every entry type's allowlist; the door itself stays.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeletePointOfEntry(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var door = await PointsOfEntry(db, user).FirstOrDefaultAsync(d => d.Id == id, ct);
        if (door is null) return Problems.NotFound("Point of entry");
        door.IsPointOfEntry = false;
        await db.RemoveFromListsAsync<EntryType>(door.SiteId, id, e => e.AllowedPointOfEntryIds, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
