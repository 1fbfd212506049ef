using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Grants;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.People;

public static class PeopleApi
{
    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(PeopleRoutes.Group, "People");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.PeopleRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.PeopleRead);
        group.MapGet(PeopleRoutes.Vocabulary, Vocabulary).RequirePermission(Permissions.PeopleRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.PeopleWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.PeopleWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.PeopleWrite);
        group.MapPut(PeopleRoutes.Access, SetAccess).RequirePermission(Permissions.PeopleWrite);
        group.MapPut(PeopleRoutes.CustomTags, SetCustomTags).RequirePermission(Permissions.PeopleWrite);
        group.MapPost(PeopleRoutes.Sync, PeopleSync.Sync).RequirePermission(Permissions.PeopleWrite);
        group.MapPost(PeopleRoutes.Import, PersonImport.Import).RequirePermission(Permissions.PeopleImport)
            .Accepts<IFormFile>("multipart/form-data", "text/csv");
        return app;
    }

    /// <summary>The person types and membership statuses a site's people carry, for rule editors to offer.</summary>
    private static async Task<Results<Ok<PersonVocabulary>, ProblemHttpResult>> Vocabulary(Guid siteId, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(siteId, user, ct)) return Problems.NotFound("Site");
        var people = db.Set<Person>().AsNoTracking().Where(p => p.SiteId == siteId);
        var types = await people.Select(p => p.PersonType).Distinct().ToListAsync(ct);
        var statuses = await people.Where(p => p.MembershipStatus != null).Select(p => p.MembershipStatus!).Distinct().ToListAsync(ct);
        return TypedResults.Ok(new PersonVocabulary(
            [.. types.Where(t => t.Length > 0).Order(StringComparer.OrdinalIgnoreCase)],
            [.. statuses.Where(s => s.Length > 0).Order(StringComparer.OrdinalIgnoreCase)]));
    }

    private static async Task<Paged<PersonResponse>> List(
        PortierDbContext db, CurrentUser user, Guid? siteId, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "id")] Guid[]? ids, string? q, string? personType,
        string? status, string? tag, bool? accessEnabled, bool? blocklisted, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<Person>().AsNoTracking();
        if (siteId is not null) query = query.Where(p => p.SiteId == siteId);
        // Several people by id in one request (id=…&id=…), so a list of events can name everyone on it at once.
        if (ids is { Length: > 0 }) query = query.Where(p => ids.Contains(p.Id));
        if (!string.IsNullOrWhiteSpace(q))
        {
            var pattern = TextSearch.ContainsPattern(q);
            query = query.Where(p => EF.Functions.Like(p.Name.ToLower(), pattern, TextSearch.Escape)
                || (p.Email != null && EF.Functions.Like(p.Email.ToLower(), pattern, TextSearch.Escape))
                || (p.ExternalId != null && EF.Functions.Like(p.ExternalId.ToLower(), pattern, TextSearch.Escape)));
        }
        if (personType is not null) query = query.Where(p => p.PersonType == personType);
        if (status is not null) query = query.Where(p => p.MembershipStatus == status);
        if (tag is not null) query = query.Where(p => p.SyncedTags.Contains(tag) || p.CustomTags.Contains(tag));
        if (accessEnabled is not null) query = query.Where(p => p.AccessEnabled == accessEnabled);
        if (blocklisted is not null) query = query.Where(p => p.Blocklisted == blocklisted);
        query = sort switch
        {
            "-name" => query.OrderByDescending(p => p.Name).ThenByDescending(p => p.Id),
            "createdAt" => query.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id),
            "-createdAt" => query.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id),
            _ => query.OrderBy(p => p.Name).ThenBy(p => p.Id),
        };
        return await new PageRequest(page, pageSize).ApplyAsync(query, PersonResponse.From, ct);
    }

    private static async Task<Results<Ok<PersonResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await db.Set<Person>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct) is { } person
            ? TypedResults.Ok(PersonResponse.From(person))
            : Problems.NotFound("Person");

    private static async Task<Results<Created<PersonResponse>, ProblemHttpResult>> Create(
        PersonRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        if (await db.CheckSiteAsync(user, request.SiteId, ct) is { } unknownSite) return unknownSite;
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        var person = new Person
        {
            SiteId = request.SiteId, Name = "", PersonType = PersonDetails.DefaultPersonType, CreatedAt = now, UpdatedAt = now,
        };
        request.ApplyTo(person);
        if (await ExternalIdTakenAsync(db, person, ct) || !await AddAndSaveAsync(db, person, ct)) return ExternalIdTaken();
        return TypedResults.Created($"/api/v1/people/{person.Id}", PersonResponse.From(person));
    }

    private static async Task<Results<Ok<PersonResponse>, ProblemHttpResult>> Update(
        Guid id, PersonRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var person = await db.Set<Person>().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null) return Problems.NotFound("Person");
        if (request.SiteId != person.SiteId)
            return Problems.BadRequest("site_change_not_allowed", "A person cannot move to another site.", "siteId");
        request.ApplyTo(person);
        person.UpdatedAt = Instant.FromDateTimeOffset(clock.GetUtcNow());
        if (await ExternalIdTakenAsync(db, person, ct) || !await db.TrySaveUniqueAsync(ct)) return ExternalIdTaken();
        return TypedResults.Ok(PersonResponse.From(person));
    }

    /// <summary>Deletes the person with their grants and credentials, each recorded in the audit trail.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var person = await db.Set<Person>().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null) return Problems.NotFound("Person");
        db.RemoveRange(await db.Set<Grant>().Where(g => g.PersonId == id).ToListAsync(ct));
        db.RemoveRange(await db.Set<Credential>().Where(c => c.PersonId == id).ToListAsync(ct));
        db.Remove(person);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>The kill switch: off denies this person at every door, whatever rules and grants say.</summary>
    private static Task<Results<Ok<PersonResponse>, ProblemHttpResult>> SetAccess(
        Guid id, AccessRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct) =>
        ChangeAsync(id, db, user, clock, p => p.AccessEnabled = request.Enabled, ct);

    /// <summary>Replaces the admin-owned tags; synced tags are untouched.</summary>
    private static Task<Results<Ok<PersonResponse>, ProblemHttpResult>> SetCustomTags(
        Guid id, CustomTagsRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct) =>
        ChangeAsync(id, db, user, clock, p => p.CustomTags = PersonDetails.NormalizeTags(request.Tags), ct);

    private static async Task<Results<Ok<PersonResponse>, ProblemHttpResult>> ChangeAsync(
        Guid id, PortierDbContext db, CurrentUser user, TimeProvider clock, Action<Person> change, CancellationToken ct)
    {
        var person = await db.Set<Person>().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null) return Problems.NotFound("Person");
        change(person);
        person.UpdatedAt = Instant.FromDateTimeOffset(clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(PersonResponse.From(person));
    }

    private static async Task<bool> AddAndSaveAsync(PortierDbContext db, Person person, CancellationToken ct)
    {
        db.Add(person);
        return await db.TrySaveUniqueAsync(ct);
    }

    private static async Task<bool> ExternalIdTakenAsync(PortierDbContext db, Person person, CancellationToken ct) =>
        person.ExternalId is { } externalId
        && await db.Set<Person>().AnyAsync(p => p.SiteId == person.SiteId && p.ExternalId == externalId && p.Id != person.Id, ct);

    private static ProblemHttpResult ExternalIdTaken() =>
        Problems.Conflict("external_id_taken", "Another person at this site has this external id.", "externalId");
}
