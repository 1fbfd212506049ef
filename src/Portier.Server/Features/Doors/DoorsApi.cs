using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Model;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Grants;
using Portier.Server.Features.Qualifications;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Doors;

public static class DoorsApi
{
    public static IEndpointRouteBuilder MapDoorsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(DoorsRoutes.Group, "Doors");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.DoorsRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.DoorsRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.DoorsWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.DoorsWrite);
        group.MapPut(DoorsRoutes.Maintenance, SetMaintenance).RequirePermission(Permissions.DoorsWrite);
        group.MapPut(DoorsRoutes.Override, StartOverride).RequirePermission(Permissions.DoorsWrite);
        group.MapDelete(DoorsRoutes.Override, EndOverride).RequirePermission(Permissions.DoorsWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.DoorsWrite);
        return app;
    }

    private static async Task<Paged<DoorResponse>> List(
        PortierDbContext db, CurrentUser user, TimeProvider clock, Guid? siteId, Guid? zoneId, SnakeCase<DoorKind>? kind, string? q, string? sort, int? page, int? pageSize,
        CancellationToken ct)
    {
        var query = db.Set<Door>().AsNoTracking().VisibleTo(user);
        if (zoneId is not null) query = query.Where(d => d.ZoneId == zoneId);
        if (kind is { Value: var k }) query = query.Where(d => d.Kind == k);
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(d => d.Name.Contains(q) || (d.LocationLabel != null && d.LocationLabel.Contains(q)));
        return await new PageRequest(page, pageSize).ApplyAsync(query.InSiteByName(siteId, sort, d => d.Name), d => DoorResponse.From(d, clock.GetCurrentInstant()), ct);
    }

    /// <summary>The door with the readers serving it.</summary>
    /// <summary>The door with the readers serving it and, for a first-to-arrive door, whether today's auto-unlock has started.</summary>
    private static async Task<Results<Ok<DoorResponse>, ProblemHttpResult>> Get(
        Guid id, PortierDbContext db, CurrentUser user, Decisions.PolicySnapshotStore policy, TimeProvider clock, CancellationToken ct)
    {
        if (await db.Set<Door>().AsNoTracking().VisibleTo(user).FirstOrDefaultAsync(d => d.Id == id, ct) is not { } door) return Problems.NotFound("Door");
        var now = clock.GetCurrentInstant();
        return TypedResults.Ok(DoorResponse.From(door, now) with
        {
            Readers = await ReaderQueries.AtDoorAsync(db, id, ct),
            FirstArrivalToday = await FirstArrivalQuery.StateAsync(db, await policy.GetAsync(ct), id, door.SiteId, now, ct),
        });
    }

    private static async Task<Results<Created<DoorResponse>, ValidationProblem, ProblemHttpResult>> Create(
        DoorRequest request, PortierDbContext db, CurrentUser user, DoorLatchScheduler latches, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        if (await UnknownZoneAsync(db, request, ct) is { } unknown) return unknown;
        if (request.TwoPersonProblem() is { } twoPerson) return twoPerson;
        if (await FirstToArriveProblemAsync(db, request, ct) is { } refused) return refused;
        if (await QualificationRequirements.UnknownAsync(db, request.SiteId, request.RequiredQualificationIds, ct) is { } unknownQualification) return unknownQualification;
        var door = new Door { SiteId = request.SiteId, Name = request.Name };
        request.ApplyTo(door);
        db.Add(door);
        await db.SaveChangesAsync(ct);
        await latches.ApplyDoorAsync(door.Id, ct);
        return TypedResults.Created($"/api/v1/doors/{door.Id}", DoorResponse.From(door, clock.GetCurrentInstant()));
    }

    private static async Task<Results<Ok<DoorResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, DoorRequest request, PortierDbContext db, CurrentUser user, DoorLatchScheduler latches, TimeProvider clock, CancellationToken ct)
    {
        var door = await db.FindVisibleAsync<Door>(id, user, ct);
        if (door is null) return Problems.NotFound("Door");
        if (request.SiteId != door.SiteId) return Problems.SiteImmutable("door");
        if (await UnknownZoneAsync(db, request, ct) is { } unknown) return unknown;
        if (request.TwoPersonProblem() is { } twoPerson) return twoPerson;
        if (await FirstToArriveProblemAsync(db, request, ct) is { } refused) return refused;
        if (await QualificationRequirements.UnknownAsync(db, door.SiteId, request.RequiredQualificationIds, ct) is { } unknownQualification) return unknownQualification;
        request.ApplyTo(door);
        await db.SaveChangesAsync(ct);
        await latches.ApplyDoorAsync(door.Id, ct);
        return TypedResults.Ok(DoorResponse.From(door, clock.GetCurrentInstant()));
    }

    /// <summary>The controller is told at once: force_open latches, force_closed locks down, normal follows the schedule.</summary>
    private static async Task<Results<Ok<DoorResponse>, ProblemHttpResult>> SetMaintenance(
        Guid id, MaintenanceRequest request, PortierDbContext db, CurrentUser user, DoorLatchScheduler latches, TimeProvider clock, CancellationToken ct)
    {
        var door = await db.FindVisibleAsync<Door>(id, user, ct);
        if (door is null) return Problems.NotFound("Door");
        door.SetMaintenance(request.Mode ?? MaintenanceMode.Normal);
        await db.SaveChangesAsync(ct);
        await latches.ApplyDoorAsync(door.Id, ct);
        return TypedResults.Ok(DoorResponse.From(door, clock.GetCurrentInstant()));
    }

    /// <summary>Starts (or replaces) a timed override; the controller is told at once and again when it ends by itself.</summary>
    private static async Task<Results<Ok<DoorResponse>, ValidationProblem, ProblemHttpResult>> StartOverride(
        Guid id, DoorOverrideRequest request, PortierDbContext db, CurrentUser user, DoorOverrides overrides, DoorLatchScheduler latches,
        TimeProvider clock, CancellationToken ct)
    {
        var door = await db.FindVisibleAsync<Door>(id, user, ct);
        if (door is null) return Problems.NotFound("Door");
        var now = clock.GetCurrentInstant();
        var until = request.EndsAt(now);
        if (until <= now) return Problems.Invalid("override_end_passed", "until", "Must be in the future.");
        if (until > now + NodaTime.Duration.FromMinutes(DoorOverrideRequest.MaxMinutes))
            return Problems.Invalid("override_too_long", "until", $"Must be at most {DoorOverrideRequest.MaxMinutes / 1440} days ahead.");
        await overrides.StartAsync(db, door, request.Mode!.Value, until, user.AdminId, ct);
        await latches.ApplyDoorAsync(door.Id, ct);
        return TypedResults.Ok(DoorResponse.From(door, now));
    }

    /// <summary>Ends the running override now; the door goes back to its maintenance mode and schedule.</summary>
    private static async Task<Results<Ok<DoorResponse>, ProblemHttpResult>> EndOverride(
        Guid id, PortierDbContext db, CurrentUser user, DoorOverrides overrides, DoorLatchScheduler latches, TimeProvider clock, CancellationToken ct)
    {
        var door = await db.FindVisibleAsync<Door>(id, user, ct);
        if (door is null) return Problems.NotFound("Door");
        if (!await overrides.EndAsync(db, door, user.AdminId, ct))
            return Problems.Conflict("no_override", "The door has no running override.");
        await latches.ApplyDoorAsync(door.Id, ct);
        return TypedResults.Ok(DoorResponse.From(door, clock.GetCurrentInstant()));
    }

    /// <summary>Removes the door and its readers and, in the same save, takes it out of every scope, grant and entry type that lists it; a latched controller is released first.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, PortierDbContext db, CurrentUser user, DoorLatchScheduler latches, CancellationToken ct)
    {
        var door = await db.FindVisibleAsync<Door>(id, user, ct);
        if (door is null) return Problems.NotFound("Door");
        await latches.ReleaseBeforeDeleteAsync(id, ct);
        await db.RemoveFromListsAsync<AccessScope>(door.SiteId, id, s => s.DoorIds, ct);
        await db.RemoveFromListsAsync<Grant>(door.SiteId, id, g => g.DoorIds, ct);
        await db.RemoveFromListsAsync<Invites.EntryType>(door.SiteId, id, e => e.AllowedPointOfEntryIds, ct);
        // Loaded so their removal is audited; the database would cascade them anyway.
        db.RemoveRange(await db.Set<Reader>().Where(r => r.DoorId == id).ToListAsync(ct));
        db.Remove(door);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static Task<ValidationProblem?> FirstToArriveProblemAsync(PortierDbContext db, DoorRequest request, CancellationToken ct) =>
        request.FirstToArrive?.Normalized() is { } gate
            ? gate.CheckAsync(db, request.SiteId, request.AutoUnlock is { Count: > 0 }, "firstToArrive", ct)
            : Task.FromResult<ValidationProblem?>(null);

    private static async Task<ValidationProblem?> UnknownZoneAsync(PortierDbContext db, DoorRequest request, CancellationToken ct) =>
        request.ZoneId is { } zoneId && (await db.NotInSiteAsync<Zone>(request.SiteId, [zoneId], ct)).Count > 0
            ? Problems.Invalid("unknown_zone", "zoneId", "Must be a zone of the door's site.")
            : null;
}
