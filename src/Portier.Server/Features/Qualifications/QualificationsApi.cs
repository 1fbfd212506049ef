using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Features.People;
using Portier.Server.Features.Scopes;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Qualifications;

/// <summary>
/// Qualifications and who holds them. Who may pass which door is the grants' business, so reading needs
/// <c>grants:read</c> and every change (defining, granting, revoking, importing) <c>grants:write</c>. A shared
/// qualification (every site may require it) is created, changed or deleted only by an administrator of every site.
/// </summary>
public static class QualificationsApi
{
    public static IEndpointRouteBuilder MapQualificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(QualificationsRoutes.Group, "Qualifications");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.GrantsRead);
        group.MapGet(QualificationsRoutes.Expiring, Expiring).RequirePermission(Permissions.GrantsRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.GrantsRead);
        group.MapGet(QualificationsRoutes.Holders, Holders).RequirePermission(Permissions.GrantsRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.GrantsWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.GrantsWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.GrantsWrite);
        group.MapPost(QualificationsRoutes.Import, QualificationImport.Import).RequirePermission(Permissions.GrantsWrite)
            .Accepts<IFormFile>("multipart/form-data", "text/csv");

        var people = app.MapApiGroup(QualificationsRoutes.PeopleGroup, "Qualifications");
        people.MapGet(QualificationsRoutes.OfPerson, OfPerson).RequirePermission(Permissions.GrantsRead);
        people.MapPost(QualificationsRoutes.OfPerson, Grant).RequirePermission(Permissions.GrantsWrite);
        people.MapDelete(QualificationsRoutes.OfPersonItem, Revoke).RequirePermission(Permissions.GrantsWrite);

        app.MapApiGroup("app", "Member app").MapGet(QualificationsRoutes.Mine, Mine).RequireMember();
        return app;
    }

    /// <summary>The shared qualifications and those of the caller's sites (with <paramref name="siteId"/>: those usable at that site), by name.</summary>
    private static async Task<List<QualificationResponse>> List(PortierDbContext db, CurrentUser user, Guid? siteId, CancellationToken ct)
    {
        var query = db.Visible(user);
        if (siteId is { } only) query = query.Where(q => q.SiteId == null || q.SiteId == only);
        var qualifications = await query.ToListAsync(ct);
        var holders = await HolderCountsAsync(db, ct);
        return [.. qualifications.OrderBy(q => q.Name, StringComparer.OrdinalIgnoreCase).Select(q => QualificationResponse.From(q, holders.GetValueOrDefault(q.Id)))];
    }

    private static async Task<Results<Ok<QualificationResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await db.Visible(user).AsNoTracking().FirstOrDefaultAsync(q => q.Id == id, ct) is { } q
            ? TypedResults.Ok(QualificationResponse.From(q, await db.Set<PersonQualification>().CountAsync(h => h.QualificationId == id, ct)))
            : Problems.NotFound("Qualification");

    /// <summary>Who holds the qualification (among the people the caller sees), the soonest expiry first.</summary>
    private static async Task<Results<Ok<List<QualificationHolderResponse>>, ProblemHttpResult>> Holders(
        Guid id, PortierDbContext db, CurrentUser user, QualificationChanges changes, CancellationToken ct)
    {
        if (!await db.Visible(user).AnyAsync(q => q.Id == id, ct)) return Problems.NotFound("Qualification");
        return TypedResults.Ok(await HoldersAsync(db, changes.Now, h => h.QualificationId == id, ct));
    }

    /// <summary>
    /// The held qualifications that expire within <paramref name="days"/> days (default 30, at most 366) or expired in
    /// the last as many days, soonest first: the "expiring soon" list an operator works through.
    /// </summary>
    private static async Task<Results<Ok<List<QualificationHolderResponse>>, ValidationProblem>> Expiring(
        PortierDbContext db, QualificationChanges changes, int? days, Guid? siteId, CancellationToken ct)
    {
        var window = days ?? QualificationStates.SoonDays;
        if (window is < 1 or > 366) return Problems.Invalid("invalid_days", "days", "Must be 1 to 366.");
        var now = changes.Now;
        var from = now - Duration.FromDays(window);
        var until = now + Duration.FromDays(window);
        return TypedResults.Ok(await HoldersAsync(db, now, h => h.ExpiresAt != null && h.ExpiresAt >= from && h.ExpiresAt < until && (siteId == null || h.SiteId == siteId), ct));
    }

    private static async Task<List<QualificationHolderResponse>> HoldersAsync(
        PortierDbContext db, Instant now, System.Linq.Expressions.Expression<Func<PersonQualification, bool>> which, CancellationToken ct)
    {
        var rows = await db.Set<PersonQualification>().AsNoTracking().Where(which)
            .Join(db.Set<Person>(), h => h.PersonId, p => p.Id, (h, p) => new { Held = h, p.Name })
            .Join(db.Set<Qualification>().IgnoreQueryFilters([SiteFilter.Name]), x => x.Held.QualificationId, q => q.Id, (x, q) => new { x.Held, Person = x.Name, Qualification = q.Name })
            .ToListAsync(ct);
        return [.. rows
            .OrderBy(r => r.Held.ExpiresAt ?? Instant.MaxValue).ThenBy(r => r.Person, StringComparer.OrdinalIgnoreCase)
            .Select(r => new QualificationHolderResponse(r.Held.PersonId, r.Person, r.Held.QualificationId, r.Qualification, r.Held.GrantedAt.ToDateTimeOffset(),
                r.Held.GrantedBy, r.Held.ExpiresAt?.ToDateTimeOffset(), QualificationStates.Of(r.Held.ExpiresAt, now)))];
    }

    private static async Task<Results<Created<QualificationResponse>, ValidationProblem, ProblemHttpResult>> Create(
        QualificationRequest request, PortierDbContext db, CurrentUser user, QualificationChanges changes, CancellationToken ct)
    {
        if (request.SiteId is { } siteId && !await db.CanUseSiteAsync(siteId, user, ct)) return Problems.NotFound("Site");
        if (request.SiteId is null && user.VisibleSites is not null) return SharedForbidden();
        var qualification = new Qualification { SiteId = request.SiteId, Name = request.Name.Trim(), CreatedAt = changes.Now };
        Apply(request, qualification, changes.Now);
        db.Add(qualification);
        if (!await db.TrySaveUniqueAsync(ct)) return NameTaken(request.Name);
        return TypedResults.Created($"{ApiRoutes.Prefix}{QualificationsRoutes.Group}/{qualification.Id}", QualificationResponse.From(qualification, 0));
    }

    private static async Task<Results<Ok<QualificationResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, QualificationRequest request, PortierDbContext db, CurrentUser user, QualificationChanges changes, CancellationToken ct)
    {
        var qualification = await db.Visible(user).FirstOrDefaultAsync(q => q.Id == id, ct);
        if (qualification is null) return Problems.NotFound("Qualification");
        if (request.SiteId != qualification.SiteId) return Problems.SiteImmutable("qualification");
        if (!CanChange(qualification, user)) return SharedForbidden();
        Apply(request, qualification, changes.Now);
        if (!await db.TrySaveUniqueAsync(ct)) return NameTaken(request.Name);
        return TypedResults.Ok(QualificationResponse.From(qualification, await db.Set<PersonQualification>().CountAsync(h => h.QualificationId == id, ct)));
    }

    /// <summary>
    /// Deletes a qualification no door or scope requires (deleting a requirement would open doors, so the operator
    /// removes it from them first); every holding is revoked with it, each audited and announced.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, QualificationChanges changes, CancellationToken ct)
    {
        var qualification = await db.Visible(user).FirstOrDefaultAsync(q => q.Id == id, ct);
        if (qualification is null) return Problems.NotFound("Qualification");
        if (!CanChange(qualification, user)) return SharedForbidden();
        var doors = await db.Set<Door>().IgnoreQueryFilters([SiteFilter.Name]).Where(d => d.RequiredQualificationIds.Contains(id)).Select(d => d.Name).ToListAsync(ct);
        var scopes = await db.Set<AccessScope>().IgnoreQueryFilters([SiteFilter.Name]).Where(s => s.RequiredQualificationIds.Contains(id)).Select(s => s.Name).ToListAsync(ct);
        if (doors.Count + scopes.Count > 0)
            return Problems.Conflict("qualification_required", $"Still required by {Describe("door", doors)}{(doors.Count > 0 && scopes.Count > 0 ? " and " : "")}{Describe("scope", scopes)}; remove the requirement first.");
        var held = await db.Set<PersonQualification>().IgnoreQueryFilters([SiteFilter.Name]).Where(h => h.QualificationId == id).ToListAsync(ct);
        db.RemoveRange(held);
        db.Remove(qualification);
        await changes.SaveAsync(db, [], [.. held.Select(h => (h, qualification.Name))], user.Actor, ct);
        return TypedResults.NoContent();

        static string Describe(string what, List<string> names) =>
            names.Count == 0 ? "" : $"{what}{(names.Count == 1 ? "" : "s")} {string.Join(", ", names.Order(StringComparer.OrdinalIgnoreCase).Select(n => $"'{n}'"))}";
    }

    /// <summary>The member app's "My qualifications": what the signed-in member holds and when each expires.</summary>
    private static Task<List<PersonQualificationResponse>> Mine(PortierDbContext db, CurrentUser user, QualificationChanges changes, CancellationToken ct) =>
        HeldByAsync(db, user.PersonId!.Value, changes.Now, ct);

    private static async Task<Results<Ok<List<PersonQualificationResponse>>, ProblemHttpResult>> OfPerson(
        Guid id, PortierDbContext db, CurrentUser user, QualificationChanges changes, CancellationToken ct)
    {
        if (await db.FindVisibleAsync<Person>(id, user, ct) is null) return Problems.NotFound("Person");
        return TypedResults.Ok(await HeldByAsync(db, id, changes.Now, ct));
    }

    /// <summary>A person's qualifications by name, with who granted each and when it expires: the person page's and the member app's list.</summary>
    public static async Task<List<PersonQualificationResponse>> HeldByAsync(PortierDbContext db, Guid personId, Instant now, CancellationToken ct)
    {
        var rows = await db.Set<PersonQualification>().AsNoTracking().Where(h => h.PersonId == personId)
            .Join(db.Set<Qualification>().IgnoreQueryFilters([SiteFilter.Name]), h => h.QualificationId, q => q.Id, (h, q) => new { Held = h, q.Name })
            .ToListAsync(ct);
        return [.. rows.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Select(r => PersonQualificationResponse.From(r.Held, r.Name, now))];
    }

    /// <summary>Grants the qualification, or renews it when the person holds it already (201 for a new grant, 200 for a renewal).</summary>
    private static async Task<Results<Created<PersonQualificationResponse>, Ok<PersonQualificationResponse>, ValidationProblem, ProblemHttpResult>> Grant(
        Guid id, GrantQualificationRequest request, PortierDbContext db, CurrentUser user, QualificationChanges changes, CancellationToken ct)
    {
        var person = await db.FindVisibleAsync<Person>(id, user, ct);
        if (person is null) return Problems.NotFound("Person");
        var qualification = await db.UsableAt(person.SiteId).FirstOrDefaultAsync(q => q.Id == request.QualificationId, ct);
        if (qualification is null)
            return Problems.Invalid("unknown_qualification", "qualificationId", "Must be a qualification shared or of the person's site.");
        var now = changes.Now;
        var grantedAt = request.GrantedAt is { } at ? Instant.FromDateTimeOffset(at) : now;
        if (grantedAt > now) return Problems.Invalid("granted_in_future", "grantedAt", "A qualification is recorded once it is earned: grantedAt may not lie in the future.");
        var expiresAt = request.ExpiresAt is { } end ? Instant.FromDateTimeOffset(end) : qualification.DefaultExpiry(grantedAt);
        if (expiresAt <= grantedAt) return Problems.Invalid("invalid_expiry", "expiresAt", "Must be after grantedAt.");

        var existing = await db.Set<PersonQualification>().FirstOrDefaultAsync(h => h.PersonId == id && h.QualificationId == qualification.Id, ct);
        var (held, renewed) = QualificationChanges.Stage(db, existing, person.SiteId, person.Id, qualification, grantedAt, user.Actor, expiresAt, request.Note);
        await changes.GrantedAsync(db, held, qualification.Name, renewed, user, ct);
        var response = PersonQualificationResponse.From(held, qualification.Name, now);
        return renewed ? TypedResults.Ok(response) : TypedResults.Created($"{ApiRoutes.Prefix}people/{id}/qualifications/{qualification.Id}", response);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        Guid id, Guid qualificationId, PortierDbContext db, CurrentUser user, QualificationChanges changes, CancellationToken ct)
    {
        if (await db.FindVisibleAsync<Person>(id, user, ct) is null) return Problems.NotFound("Person");
        var held = await db.Set<PersonQualification>().FirstOrDefaultAsync(h => h.PersonId == id && h.QualificationId == qualificationId, ct);
        if (held is null) return Problems.NotFound("Held qualification");
        var name = await db.Set<Qualification>().IgnoreQueryFilters([SiteFilter.Name]).Where(q => q.Id == qualificationId).Select(q => q.Name).FirstAsync(ct);
        await changes.RevokedAsync(db, held, name, user, ct);
        return TypedResults.NoContent();
    }

    private static void Apply(QualificationRequest request, Qualification qualification, Instant now)
    {
        qualification.Name = request.Name.Trim();
        qualification.Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
        qualification.ValidityDays = request.ValidityDays;
        qualification.UpdatedAt = now;
    }

    private static async Task<Dictionary<Guid, int>> HolderCountsAsync(PortierDbContext db, CancellationToken ct) =>
        await db.Set<PersonQualification>().GroupBy(h => h.QualificationId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);

    /// <summary>Every site may require a shared qualification, so only an administrator of every site may change it.</summary>
    private static bool CanChange(Qualification qualification, CurrentUser user) => qualification.SiteId is not null || user.VisibleSites is null;

    private static ProblemHttpResult NameTaken(string name) =>
        Problems.Conflict("qualification_name_taken", $"Another qualification is already named '{name.Trim()}'.", "name");

    private static ProblemHttpResult SharedForbidden() =>
        Problems.Make(StatusCodes.Status403Forbidden, "shared_qualification_forbidden",
            "Every site may require a shared qualification: only an administrator of every site may create or change one.", "siteId");
}
