using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// A controller's readers, under its device: listed with <c>devices:read</c>, changed with
/// <c>devices:write</c>, scoped by the device's site like the device itself. Every change is audited.
/// </summary>
public static class ReadersApi
{
    public static IEndpointRouteBuilder MapReadersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(DevicesRoutes.Group, "Devices");
        group.MapGet(DevicesRoutes.Readers, List).RequirePermission(Permissions.DevicesRead);
        group.MapPost(DevicesRoutes.Readers, Create).RequirePermission(Permissions.DevicesWrite);
        group.MapPut(DevicesRoutes.Reader, Update).RequirePermission(Permissions.DevicesWrite);
        group.MapDelete(DevicesRoutes.Reader, Delete).RequirePermission(Permissions.DevicesWrite);
        return app;
    }

    private static async Task<Results<Ok<List<ReaderResponse>>, ProblemHttpResult>> List(
        Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await db.Set<Device>().VisibleTo(user).AnyAsync(d => d.Id == id, ct)
            ? TypedResults.Ok(await ReaderQueries.OfDeviceAsync(db, id, ct))
            : Problems.NotFound("Device");

    private static async Task<Results<Created<ReaderResponse>, ValidationProblem, ProblemHttpResult>> Create(
        Guid id, ReaderRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var device = await db.Set<Device>().AsNoTracking().VisibleTo(user).FirstOrDefaultAsync(d => d.Id == id, ct);
        if (device is null) return Problems.NotFound("Device");
        if (device.State == DeviceState.Revoked) return Revoked();
        if (await RefusedAsync(db, user, device, request, null, ct) is { } refused) return refused;
        var reader = new Reader { SiteId = device.SiteId, DeviceId = device.Id, ReaderId = request.ReaderId, CreatedAt = clock.GetCurrentInstant() };
        request.ApplyTo(reader);
        db.Add(reader);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/devices/{id}/readers/{Uri.EscapeDataString(reader.ReaderId)}", await ReaderQueries.OneAsync(db, reader.Id, ct));
    }

    /// <summary>Changes the reader's door, kind or direction, or renames it (<c>readerId</c> in the body).</summary>
    private static async Task<Results<Ok<ReaderResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, string readerId, ReaderRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var device = await db.Set<Device>().AsNoTracking().VisibleTo(user).FirstOrDefaultAsync(d => d.Id == id, ct);
        if (device is null) return Problems.NotFound("Device");
        var reader = await db.Set<Reader>().FirstOrDefaultAsync(r => r.DeviceId == id && r.ReaderId == readerId, ct);
        if (reader is null) return Problems.NotFound("Reader");
        if (device.State == DeviceState.Revoked) return Revoked();
        if (await RefusedAsync(db, user, device, request, reader.Id, ct) is { } refused) return refused;
        request.ApplyTo(reader);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await ReaderQueries.OneAsync(db, reader.Id, ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, string readerId, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.Set<Device>().VisibleTo(user).AnyAsync(d => d.Id == id, ct)) return Problems.NotFound("Device");
        var reader = await db.Set<Reader>().FirstOrDefaultAsync(r => r.DeviceId == id && r.ReaderId == readerId, ct);
        if (reader is null) return Problems.NotFound("Reader");
        db.Remove(reader);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult Revoked() =>
        Problems.Conflict("device_revoked", "The device was unpaired; its readers can no longer change.");

    /// <summary>
    /// What the request may not do: name a door that is not at the controller's site (400
    /// <c>door_not_found</c> / <c>door_other_site</c>), or take a reader id the controller already has
    /// (400 <c>reader_id_taken</c>).
    /// </summary>
    private static async Task<ValidationProblem?> RefusedAsync(
        PortierDbContext db, CurrentUser user, Device device, ReaderRequest request, Guid? self, CancellationToken ct)
    {
        var doorSite = await db.Set<Door>().VisibleTo(user).Where(d => d.Id == request.DoorId).Select(d => (Guid?)d.SiteId).FirstOrDefaultAsync(ct);
        if (doorSite is null) return Problems.Invalid("door_not_found", "doorId", "The door was not found.");
        if (doorSite != device.SiteId) return Problems.Invalid("door_other_site", "doorId", "The door is at another site than the controller.");
        if (await db.Set<Reader>().AnyAsync(r => r.DeviceId == device.Id && r.ReaderId == request.ReaderId && r.Id != self, ct))
            return Problems.Invalid("reader_id_taken", "readerId", "The controller already has a reader with this id.");
        return null;
    }
}
