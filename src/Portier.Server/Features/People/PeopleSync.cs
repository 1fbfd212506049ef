using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.People;

/// <summary>
/// Integration sync: a member system pushes its people (up to 10,000 per call) and Portier upserts
/// them by externalId. Synced fields and synced tags are overwritten; custom tags, the kill switch and
/// the blocklist flag are never touched; people switched to trackSource=false are skipped. People
/// missing from a call are left alone (a sync never deletes).
/// </summary>
public static class PeopleSync
{
    public static async Task<Results<Ok<SyncResult>, ProblemHttpResult>> Sync(
        SyncRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        if (await db.CheckSiteAsync(user, request.SiteId, ct) is { } unknownSite) return unknownSite;

        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        var batch = await PersonBatch.LoadAsync(db, request.SiteId, request.People.Select(p => p?.ExternalId), now, ct);
        for (var i = 0; i < request.People.Count; i++) Apply(i, request.People[i], batch);

        if (!await db.TrySaveUniqueAsync(ct))
            return Problems.Conflict("external_id_taken", "Another change took one of the batch's external ids meanwhile; nothing was synced.", "people");
        return TypedResults.Ok(new SyncResult(batch.Created, batch.Updated, batch.Unchanged, batch.Skipped, batch.Failed, batch.Errors));
    }

    private static void Apply(int row, SyncPerson? incoming, PersonBatch batch)
    {
        var errors = new ValidationErrors();
        if (incoming is null)
        {
            errors.Add("row", "Is required.");
            batch.Accept(row, null, errors);
            return;
        }
        var details = new PersonDetails(incoming.Name, incoming.Email, incoming.Phone, incoming.ExternalId, incoming.PersonType, incoming.MembershipStatus);
        errors.NotBlank(incoming.ExternalId, "externalId");
        details.Validate(errors);
        PersonDetails.ValidateTags(incoming.Tags, "tags", errors);
        if (!batch.Accept(row, incoming.ExternalId, errors)) return;

        var existing = batch.Find(incoming.ExternalId);
        if (existing is { TrackSource: false })
        {
            batch.Skip();
            return;
        }
        var person = existing ?? batch.Create(PersonSource.Integration);
        details.ApplyTo(person);
        person.SyncedTags = PersonDetails.NormalizeTags(incoming.Tags);
        batch.Touch(person);
    }
}
