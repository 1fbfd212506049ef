using Microsoft.AspNetCore.Http.HttpResults;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Occupancy;

public sealed record OccupancyCorrection(int Count, string? Note = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Range(Count, 0, 1_000_000, "count");
        errors.Require(Note is null || Note.Length <= 500, "note", "Must be at most 500 characters.");
    }
}

public static class OccupancyApi
{
    public static IServiceCollection AddOccupancy(this IServiceCollection services) => services.AddSingleton<OccupancyService>();

    public static IEndpointRouteBuilder MapOccupancyApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(ZonesRoutes.Group, "Zones");
        group.MapPut(OccupancyRoutes.Count, Correct).RequirePermission(Permissions.OccupancyWrite);
        return app;
    }

    /// <summary>Sets a zone's live count (after a head count, say); the change is logged with the caller and note.</summary>
    private static async Task<Results<Ok<ZoneResponse>, ProblemHttpResult>> Correct(
        Guid id, OccupancyCorrection request, PortierDbContext db, CurrentUser user, OccupancyService occupancy, CancellationToken ct)
    {
        var zone = await db.FindVisibleAsync<Zone>(id, user, ct);
        if (zone is null) return Problems.NotFound("Zone");
        return TypedResults.Ok(ZoneResponse.From(await occupancy.CorrectAsync(db, zone, request.Count, user.Actor, request.Note, ct)));
    }
}
