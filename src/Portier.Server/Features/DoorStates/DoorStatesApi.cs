using Portier.Server.Features.Auth;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.DoorStates;

public static class DoorStatesApi
{
    public static IEndpointRouteBuilder MapDoorStatesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(DoorStatesRoutes.Group, "Door states");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.DoorsRead);
        return app;
    }

    /// <summary>
    /// The live state of the caller's doors, by name: <c>siteId</c> for one site's, <c>doorId</c> for one door's.
    /// Changes arrive on the live stream (door state, alarms, device status, overrides, lockdowns): read again then.
    /// </summary>
    private static async Task<List<DoorStateResponse>> List(
        PortierDbContext db, CurrentUser user, PolicySnapshotStore policy, DeviceOnline online, TimeProvider clock, Guid? siteId, Guid? doorId,
        CancellationToken ct) =>
        await DoorStatesQuery.ForAsync(db, user, policy, online, clock.GetCurrentInstant(), siteId, doorId, ct);
}
