using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Bundles;

public static class BundlesApi
{
    public static IEndpointRouteBuilder MapBundlesApi(this IEndpointRouteBuilder app)
    {
        app.MapApiGroup(SitesRoutes.Group, "Bundles").MapGet(BundlesRoutes.OfSite, OfSite).RequirePermission(Permissions.DevicesRead);
        app.MapApiGroup(DevicesRoutes.Group, "Bundles").MapGet(BundlesRoutes.OfDevice, OfDevice).RequirePermission(Permissions.DevicesRead);
        return app;
    }

    /// <summary>Every paired controller of the site with its bundle; <paramref name="behind"/> keeps those holding an older version than the server's.</summary>
    private static async Task<Results<Ok<List<ControllerBundleResponse>>, ProblemHttpResult>> OfSite(
        Guid id, bool? behind, PortierDbContext db, DeviceOnline online, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Set<Site>().AnyAsync(s => s.Id == id, ct)) return Problems.NotFound("Site");
        var list = await LoadAsync(db, online, clock, d => d.SiteId == id, ct);
        return TypedResults.Ok(behind == true ? [.. list.Where(b => b.Behind)] : list);
    }

    private static async Task<Results<Ok<ControllerBundleResponse>, ProblemHttpResult>> OfDevice(
        Guid id, PortierDbContext db, CurrentUser user, DeviceOnline online, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Set<Device>().VisibleTo(user).AnyAsync(d => d.Id == id, ct)) return Problems.NotFound("Device");
        return (await LoadAsync(db, online, clock, d => d.Id == id, ct)).SingleOrDefault() is { } bundle
            ? TypedResults.Ok(bundle)
            : Problems.NotFound("Bundle");
    }

    private static async Task<List<ControllerBundleResponse>> LoadAsync(PortierDbContext db, DeviceOnline online, TimeProvider clock,
        System.Linq.Expressions.Expression<Func<Device, bool>> which, CancellationToken ct)
    {
        var rows = await (
            from device in db.Set<Device>().AsNoTracking().Where(which).Where(d => d.State == DeviceState.Paired)
            join bundle in db.Set<ControllerBundle>().AsNoTracking() on device.Id equals bundle.DeviceId
            orderby device.Name, device.Id
            select new { device.Id, device.Name, device.DoorId, device.RecordedOnline, device.LastHeartbeatAt, Bundle = bundle })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var revocations = (await db.Set<BundleRevocation>().AsNoTracking().Where(r => ids.Contains(r.DeviceId)).ToListAsync(ct))
            .ToLookup(r => r.DeviceId);
        var now = clock.GetCurrentInstant();
        return [.. rows.Select(r =>
        {
            var b = r.Bundle;
            return new ControllerBundleResponse(r.Id, r.Name, r.DoorId, online.IsOnline(r.RecordedOnline, r.LastHeartbeatAt),
                b.Version, b.BuiltAt.ToDateTimeOffset(), (long)(now - b.BuiltAt).TotalSeconds,
                b.AcknowledgedVersion, b.AcknowledgedAt?.ToDateTimeOffset(), (b.AcknowledgedVersion ?? 0) < b.Version,
                b.LastRefusal, b.LastRefusalAt?.ToDateTimeOffset(),
                [.. revocations[r.Id].Where(v => v.Version > (b.AcknowledgedVersion ?? 0)).OrderBy(v => v.Version).ThenBy(v => v.Id)
                    .Select(v => new PendingRevocationResponse(v.Version, v.Kind, v.SubjectId, v.PersonId, v.At.ToDateTimeOffset()))]);
        })];
    }
}
