using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Audit;

public sealed record AuditEntryResponse(Guid Id, DateTimeOffset At, string Actor, Guid? SiteId, string Action, string EntityType, Guid EntityId, string? Before, string? After)
{
    public static AuditEntryResponse From(AuditEntry a) =>
        new(a.Id, a.At.ToDateTimeOffset(), a.Actor, a.SiteId, a.Action, a.EntityType, a.EntityId, a.Before, a.After);
}

public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(AuditRoutes.Group, "Audit");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.AuditRead);
        group.MapGet(AuditRoutes.Verify, Verify).RequirePermission(Permissions.AuditRead);
        return app;
    }

    /// <summary>
    /// Walks the whole audit chain. The chain spans every site (and changes to no site at all), so
    /// only a principal who sees every site may walk it.
    /// </summary>
    private static async Task<Results<Ok<AuditVerification>, ProblemHttpResult>> Verify(PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        user.VisibleSites is null
            ? TypedResults.Ok(await AuditVerifier.VerifyAsync(db, ct))
            : Problems.Make(StatusCodes.Status403Forbidden, "forbidden", "The audit chain spans every site; verifying it needs access to every site.");

    private static async Task<Paged<AuditEntryResponse>> List(
        PortierDbContext db, CurrentUser user, Guid? siteId, string? entityType, Guid? entityId, string? actor, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<AuditEntry>().AsNoTracking();
        if (user.VisibleSites is { } visible) query = query.Where(a => a.SiteId != null && visible.Contains(a.SiteId.Value));
        if (siteId is not null) query = query.Where(a => a.SiteId == siteId);
        if (entityType is not null) query = query.Where(a => a.EntityType == entityType);
        if (entityId is not null) query = query.Where(a => a.EntityId == entityId);
        if (actor is not null) query = query.Where(a => a.Actor == actor);
        return await new PageRequest(page, pageSize).ApplyAsync(query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id), AuditEntryResponse.From, ct);
    }
}
