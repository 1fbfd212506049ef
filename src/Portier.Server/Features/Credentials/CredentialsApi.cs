using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.Auth;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Credentials;

public static class CredentialsApi
{
    public static IEndpointRouteBuilder MapCredentialsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(CredentialsRoutes.Group, "Credentials");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.CredentialsRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.CredentialsRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.CredentialsWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.CredentialsWrite);
        group.MapPost(CredentialsRoutes.Revoke, Revoke).RequirePermission(Permissions.CredentialsWrite);
        app.MapApiGroup(PeopleRoutes.Group, "Credentials").MapGet(CredentialsRoutes.ForPerson, ListForPerson).RequirePermission(Permissions.CredentialsRead);
        return app;
    }

    private static async Task<Paged<CredentialResponse>> List(
        PortierDbContext db, CurrentUser user, Guid? siteId, Guid? personId, EnumQuery<CredentialKind>? kind, bool? revoked, string? q,
        string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<Credential>().AsNoTracking();
        if (siteId is not null) query = query.Where(c => c.SiteId == siteId);
        if (personId is not null) query = query.Where(c => c.PersonId == personId);
        if (kind is { Value: var k }) query = query.Where(c => c.Kind == k);
        if (revoked is not null) query = query.Where(c => c.Revoked == revoked);
        if (!string.IsNullOrWhiteSpace(q))
        {
            var card = CredentialValues.NormalizeCard(q);
            var pattern = TextSearch.ContainsPattern(q);
            query = query.Where(c => (c.Value != null && (c.Value == card || EF.Functions.Like(c.Value.ToLower(), pattern, TextSearch.Escape)))
                || (c.Label != null && EF.Functions.Like(c.Label.ToLower(), pattern, TextSearch.Escape)));
        }
        query = sort == "-createdAt"
            ? query.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            : query.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id);
        return await new PageRequest(page, pageSize).ApplyAsync(query, CredentialResponse.From, ct);
    }

    private static Task<Results<Ok<Paged<CredentialResponse>>, ProblemHttpResult>> ListForPerson(
        Guid id, PortierDbContext db, CurrentUser user, string? sort, int? page, int? pageSize, CancellationToken ct) =>
        db.ForPersonAsync(user, id, () => List(db, user, null, id, null, null, null, sort, page, pageSize, ct), ct);

    private static async Task<Results<Ok<CredentialResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await db.Set<Credential>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) is { } credential
            ? TypedResults.Ok(CredentialResponse.From(credential))
            : Problems.NotFound("Credential");

    /// <summary>
    /// The active key is the card/barcode number, or for a PIN its keyed hash. The unique index on
    /// (site, kind, active key) makes a number, or a PIN, belong to one active credential per site:
    /// a keypad knows nobody until the PIN is typed, so two people sharing a PIN could not be told apart.
    /// </summary>
    private static async Task<Results<Created<CredentialResponse>, ProblemHttpResult, ValidationProblem>> Create(
        CreateCredentialRequest request, PortierDbContext db, CurrentUser user, PinHasher pins, TimeProvider clock, CancellationToken ct)
    {
        if (!CredentialValues.IsEnteredByHand(request.Kind))
            return Problems.BadRequest("kind_not_supported", "QR, OTP and mobile credentials are issued by Portier, not entered here.", "kind");
        if (await db.SiteOfPersonAsync(user, request.PersonId, ct) is not { } siteId) return PersonReferences.UnknownPerson();

        string activeKey;
        if (request.Kind == CredentialKind.Pin)
        {
            var site = await db.Set<Site>().Where(s => s.Id == siteId).Select(s => new { s.MinPinLength, s.AllowWeakPins }).FirstAsync(ct);
            if (request.Pin!.Length < site.MinPinLength)
                return Problems.BadRequest("pin_too_short", $"This site's PINs have at least {site.MinPinLength} digits.", "pin");
            if (!site.AllowWeakPins && CredentialValues.IsWeakPin(request.Pin))
                return Problems.Validation(new Dictionary<string, string[]>
                    { ["pin"] = ["Too easy to guess: one repeated digit or a straight run (1111, 1234, 4321). This site does not allow weak PINs."] });
            activeKey = pins.Hash(siteId, request.Pin);
        }
        else activeKey = request.NormalizedValue!;

        var credential = new Credential
        {
            SiteId = siteId,
            PersonId = request.PersonId,
            Kind = request.Kind,
            Value = request.Kind == CredentialKind.Pin ? null : activeKey,
            ActiveKey = activeKey,
            CreatedAt = Instant.FromDateTimeOffset(clock.GetUtcNow()),
        };
        request.Terms.ApplyTo(credential);
        var taken = await db.Set<Credential>().AnyAsync(c => c.SiteId == credential.SiteId && c.Kind == credential.Kind && c.ActiveKey == activeKey, ct);
        if (!taken)
        {
            db.Add(credential);
            taken = !await db.TrySaveUniqueAsync(ct);
        }
        if (taken)
            return request.Kind == CredentialKind.Pin
                ? Problems.Conflict("pin_taken", "Another active credential at this site uses this PIN; a keypad could not tell them apart.", "pin")
                : Problems.Conflict("credential_value_taken", "Another active credential at this site has this number.", "value");
        return TypedResults.Created($"/api/v1/credentials/{credential.Id}", CredentialResponse.From(credential));
    }

    private static async Task<Results<Ok<CredentialResponse>, ProblemHttpResult>> Update(
        Guid id, UpdateCredentialRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var credential = await db.Set<Credential>().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (credential is null) return Problems.NotFound("Credential");
        request.Terms.ApplyTo(credential);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(CredentialResponse.From(credential));
    }

    /// <summary>Revoking frees the number (or PIN) for a new credential; revoking twice changes nothing.</summary>
    private static async Task<Results<Ok<CredentialResponse>, ProblemHttpResult>> Revoke(
        Guid id, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var credential = await db.Set<Credential>().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (credential is null) return Problems.NotFound("Credential");
        credential.Revoke(Instant.FromDateTimeOffset(clock.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(CredentialResponse.From(credential));
    }
}
