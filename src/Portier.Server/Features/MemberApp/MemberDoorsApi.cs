using Microsoft.EntityFrameworkCore;
using Portier.Core.Decisions;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.MemberApp;

/// <summary>A site a member can choose when signing in.</summary>
public sealed record MemberSite(Guid Id, string Name);

/// <summary>A door the signed-in member may open at this moment (each unlock is still decided on its own).</summary>
public sealed record MemberDoor(Guid Id, string Name, string? LocationLabel, string? ZoneName);

/// <summary>What the member app shows before and after sign-in: the sites to choose from, and the doors I can open now.</summary>
public static class MemberDoorsApi
{
    public static IEndpointRouteBuilder MapMemberDoorsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("app", "Member app");
        group.MapGet("/sites", Sites).AllowAnonymous();
        group.MapGet("/doors", Doors).RequireMember();
        return app;
    }

    private static async Task<IReadOnlyList<MemberSite>> Sites(PortierDbContext db, CancellationToken ct) =>
        await db.Set<Site>().AsNoTracking().OrderBy(s => s.Name).Select(s => new MemberSite(s.Id, s.Name)).ToListAsync(ct);

    private static async Task<IReadOnlyList<MemberDoor>> Doors(
        PortierDbContext db, CurrentUser user, PolicySnapshotStore store, TimeProvider clock, CancellationToken ct)
    {
        var personId = user.PersonId!.Value;
        var ids = AccessReview.DoorsFor(await store.GetAsync(ct), personId, clock.GetCurrentInstant());
        var doors = await db.Set<Door>().AsNoTracking().Where(d => ids.Contains(d.Id))
            .OrderBy(d => d.Name).ThenBy(d => d.Id).ToListAsync(ct);
        var zoneIds = doors.Where(d => d.ZoneId != null).Select(d => d.ZoneId!.Value).Distinct().ToList();
        var zones = await db.Set<Zone>().AsNoTracking().Where(z => zoneIds.Contains(z.Id)).ToDictionaryAsync(z => z.Id, z => z.Name, ct);
        return doors.Select(d => new MemberDoor(d.Id, d.Name, d.LocationLabel, d.ZoneId is { } z ? zones.GetValueOrDefault(z) : null)).ToList();
    }
}
