using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Decisions;
using Portier.Server.Features.Access;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Doors;
using Portier.Server.Features.People;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Decisions;

/// <summary>The decision explainer (a dry run that opens nothing) and the access-review queries.</summary>
public static class DecisionsApi
{
    public static IEndpointRouteBuilder MapDecisionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(DecisionsRoutes.Group, "Decisions");
        group.MapPost(DecisionsRoutes.Explain, Explain).RequirePermission(Permissions.DecisionsExplain);
        group.MapGet(DecisionsRoutes.WhoCanPass, WhoCanPass).RequirePermission(Permissions.DecisionsExplain);
        group.MapGet(DecisionsRoutes.DoorsFor, DoorsFor).RequirePermission(Permissions.DecisionsExplain);
        return app;
    }

    /// <summary>
    /// Door and person come from the door directory and the policy snapshot the decision reads (no query),
    /// limited to the caller's sites like every lookup: another site's door or person answers 404.
    /// </summary>
    private static async Task<Results<Ok<ExplainResponse>, ProblemHttpResult>> Explain(
        ExplainRequest request, CurrentUser user, DoorDirectory doors, PolicySnapshotStore store, AccessPipeline pipeline, PinHasher pins,
        TimeProvider clock, CancellationToken ct)
    {
        var door = await VisibleDoorAsync(doors, request.DoorId, user, ct);
        if (door is null) return Problems.NotFound("Door");
        if (request.PersonId is { } personId && !await VisiblePersonAsync(store, personId, user, ct))
            return Problems.NotFound("Person");

        var at = request.At is { } when ? NodaTime.Instant.FromDateTimeOffset(when) : clock.GetCurrentInstant();
        var key = request.Credential is { } presented ? CredentialLookup.KeyFor(pins, door.SiteId, presented.Kind, presented.Value) : null;
        if (request.Credential is not null && key is null)
            return Problems.BadRequest("invalid_credential_value", "The presented value is not a valid value of that kind.", "credential.value");

        var attempt = request.Schedule ? AccessAttempt.Schedule(door.Id)
            : request.Credential is { } credential
            ? AccessAttempt.Reader(door.Id, credential.Kind, credential.Value, Guid.Empty)
            : request.AppUnlock
                ? AccessAttempt.App(door.Id, request.PersonId!.Value, request.Location?.ToGeo())
                : AccessAttempt.DryRun(door.Id, request.PersonId!.Value);
        var explanation = await pipeline.ExplainAsync(attempt, door, at, ct);
        return TypedResults.Ok(ExplainResponse.From(explanation, at.ToDateTimeOffset()));
    }

    private static async Task<Results<Ok<Paged<PersonSummary>>, ProblemHttpResult>> WhoCanPass(
        Guid doorId, DateTimeOffset? at, int? page, int? pageSize, PortierDbContext db, CurrentUser user,
        DoorDirectory doors, PolicySnapshotStore store, TimeProvider clock, CancellationToken ct)
    {
        if (await VisibleDoorAsync(doors, doorId, user, ct) is null) return Problems.NotFound("Door");
        var instant = at is { } when ? NodaTime.Instant.FromDateTimeOffset(when) : clock.GetCurrentInstant();
        var ids = AccessReview.WhoCanPass(await store.GetAsync(ct), doorId, instant);
        var query = db.Set<Person>().AsNoTracking().Where(p => ids.Contains(p.Id)).OrderBy(p => p.Name).ThenBy(p => p.Id);
        return TypedResults.Ok(await new PageRequest(page, pageSize).ApplyAsync(query,
            p => new PersonSummary(p.Id, p.Name, p.PersonType, p.MembershipStatus), ct));
    }

    private static async Task<Results<Ok<Paged<DoorSummary>>, ProblemHttpResult>> DoorsFor(
        Guid personId, DateTimeOffset? at, int? page, int? pageSize, PortierDbContext db, CurrentUser user,
        PolicySnapshotStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!await VisiblePersonAsync(store, personId, user, ct)) return Problems.NotFound("Person");
        var instant = at is { } when ? NodaTime.Instant.FromDateTimeOffset(when) : clock.GetCurrentInstant();
        var ids = AccessReview.DoorsFor(await store.GetAsync(ct), personId, instant);
        var query = db.Set<Door>().AsNoTracking().Where(d => ids.Contains(d.Id)).OrderBy(d => d.Name).ThenBy(d => d.Id);
        return TypedResults.Ok(await new PageRequest(page, pageSize).ApplyAsync(query, d => new DoorSummary(d.Id, d.Name, d.ZoneId), ct));
    }

    private static async ValueTask<Door?> VisibleDoorAsync(DoorDirectory doors, Guid doorId, CurrentUser user, CancellationToken ct) =>
        (await doors.GetAsync(ct)).Door(doorId) is { } door && user.CanSee(door.SiteId) ? door : null;

    /// <summary>A person without a site concerns every site, so only a caller who sees every site sees them (as the site filter has it).</summary>
    private static async ValueTask<bool> VisiblePersonAsync(PolicySnapshotStore store, Guid personId, CurrentUser user, CancellationToken ct) =>
        (await store.GetAsync(ct)).TryFindPerson(personId, out var site) && (site is { } s ? user.CanSee(s) : user.VisibleSites is null);
}
