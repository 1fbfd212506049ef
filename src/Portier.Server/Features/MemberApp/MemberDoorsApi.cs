using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Access;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.MemberApp;

/// <summary>A site a member can choose when signing in.</summary>
public sealed record MemberSite(Guid Id, string Name);

/// <summary>What the member app shows before and after sign-in: the sites to choose from, and my doors.</summary>
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

    /// <summary>The member's doors: those a tap would open now, and those refused now for a reason the member can act on or wait out.</summary>
    private static Task<IReadOnlyList<MemberDoor>> Doors(
        PortierDbContext db, CurrentUser user, PolicySnapshotStore store, AccessPipeline pipeline, TimeProvider clock, CancellationToken ct) =>
        MemberDoorAvailability.ListAsync(db, user, user.PersonId!.Value, store, pipeline, clock, ct);
}
