using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Decisions;
using Portier.Server.Features.Access;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.People;
using Portier.Server.Features.Qualifications;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Unlocks;

public sealed record AppUnlockRequest(ReportedLocation? Location = null) : IValidatable
{
    public void Validate(ValidationErrors errors) => ReportedLocation.Validate(Location, "location", errors);
}

/// <summary>An administrator's opening; naming the person let through records their passage for the zone's anti-passback.</summary>
public sealed record AdminOpenRequest(Guid? PersonId = null);

public sealed record UnlockResponse(Guid EventId, bool Allowed, string Reason, string Path, ActuationOutcome Outcome)
{
    /// <summary>For a qualification refusal in the member app: which qualification the door needs, or when the member's expired.</summary>
    public string? Detail { get; init; }

    public static UnlockResponse From(AttemptResult r) => new(r.EventId, r.Allowed, r.Decision.Reason.ToCode(), r.Decision.Path.ToCode(), r.Outcome);
}

public static class UnlocksApi
{
    public static IServiceCollection AddPortierUnlocks(this IServiceCollection services) => services.AddPortierAccessPipeline();

    public static IEndpointRouteBuilder MapUnlocksApi(this IEndpointRouteBuilder app)
    {
        var doors = app.MapApiGroup(DoorsRoutes.Group, "Unlocks");
        doors.MapPost(UnlocksRoutes.MemberUnlock, AppUnlock).RequireMember();
        doors.MapPost(UnlocksRoutes.AdminOpen, AdminOpen).RequirePermission(Permissions.DoorsOpen);
        return app;
    }

    /// <summary>
    /// A member's unlock from the app: the whole decision including the geofence and the
    /// controller's heartbeat; answers once the door confirmed or the command timed out.
    /// A denial is an answer, not an error: 200 with allowed false and the reason.
    /// </summary>
    private static async Task<Results<Ok<UnlockResponse>, ProblemHttpResult>> AppUnlock(
        Guid id, AppUnlockRequest request, PortierDbContext db, CurrentUser user, AccessPipeline pipeline, PolicySnapshotStore store, TimeProvider clock, CancellationToken ct)
    {
        if (user.PersonId is not { } personId || !await db.Set<Door>().VisibleTo(user).AnyAsync(d => d.Id == id, ct))
            return Problems.NotFound("Door");
        var result = await pipeline.RunAsync(AccessAttempt.App(id, personId, request.Location?.ToGeo()), ct);
        if (result is null) return Problems.NotFound("Door");
        return TypedResults.Ok(UnlockResponse.From(result) with
        {
            Detail = QualificationRefusals.Describe(result.Decision.Reason, await store.GetAsync(ct), id, personId, clock.GetCurrentInstant()),
        });
    }

    /// <summary>
    /// An admin's override: opens even a force-closed or blocked door, logged with the admin's account;
    /// a door whose controller is offline answers <c>device_offline</c> at once and nothing is sent. Naming the
    /// person let through moves their presence in the zone and records an anti-passback violation (never refused).
    /// </summary>
    private static async Task<Results<Ok<UnlockResponse>, ProblemHttpResult>> AdminOpen(
        Guid id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] AdminOpenRequest? request,
        DatabaseOnFirstUse db, CurrentUser user, DoorDirectory doors, AccessPipeline pipeline, CancellationToken ct)
    {
        // The door directory answers from memory what the pipeline decides on anyway: no query before the attempt's commit,
        // and no database context taken from the pool unless a person is named.
        if (user.AdminId is not { } adminId || (await doors.GetAsync(ct)).Door(id) is not { } door || !user.CanSee(door.SiteId))
            return Problems.NotFound("Door");
        if (request?.PersonId is { } personId && await db.Context.FindVisibleAsync<Person>(personId, user, ct) is null)
            return Problems.NotFound("Person");
        var result = await pipeline.RunAsync(AccessAttempt.Override(id, adminId, request?.PersonId), ct);
        return result is null ? Problems.NotFound("Door") : TypedResults.Ok(UnlockResponse.From(result));
    }
}
