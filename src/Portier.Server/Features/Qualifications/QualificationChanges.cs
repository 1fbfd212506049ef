using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Auth;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Qualifications;

/// <summary>
/// Grants, renews and revokes qualifications and announces each: a <c>qualification.granted</c> or
/// <c>qualification.revoked</c> webhook event in the same transaction, then <c>QualificationGranted</c> /
/// <c>QualificationRevoked</c> on the person's site's live stream. The audit entry comes with the save, and the
/// snapshot and the controllers' bundles are rebuilt because a held qualification is a policy definition.
/// </summary>
public sealed class QualificationChanges(TimeProvider clock, WebhookOutbox outbox, ILiveEventPublisher live)
{
    public Instant Now => clock.GetCurrentInstant();

    /// <summary>
    /// Adds or renews the person's qualification in <paramref name="db"/> without saving (an import adds many, then saves
    /// once with <see cref="SaveAsync"/>); null for a new grant's row when nothing is held yet.
    /// </summary>
    public static (PersonQualification Held, bool Renewed) Stage(PortierDbContext db, PersonQualification? held, Guid siteId, Guid personId,
        Qualification qualification, Instant grantedAt, string grantedBy, Instant? expiresAt, string? note)
    {
        var renewed = held is not null;
        held ??= new PersonQualification { SiteId = siteId, PersonId = personId, QualificationId = qualification.Id };
        held.Grant(grantedAt, grantedBy, expiresAt ?? qualification.DefaultExpiry(grantedAt), string.IsNullOrWhiteSpace(note) ? null : note.Trim());
        if (!renewed) db.Add(held);
        return (held, renewed);
    }

    /// <summary>Saves staged grants (and revocations) with their webhook events, then publishes them live.</summary>
    public async Task SaveAsync(PortierDbContext db, IReadOnlyList<(PersonQualification Held, string Name, bool Renewed)> granted,
        IReadOnlyList<(PersonQualification Held, string Name)> revoked, string actor, CancellationToken ct)
    {
        var now = Now;
        var events = granted.Select(g => (g.Held.SiteId, Type: WebhookEventTypes.QualificationGranted, Live: LiveEventTypes.QualificationGranted,
                Payload: (object)new QualificationGrantedPayload(g.Held.PersonId, g.Held.QualificationId, g.Name, g.Held.GrantedAt.ToDateTimeOffset(),
                    g.Held.GrantedBy, g.Held.ExpiresAt?.ToDateTimeOffset(), g.Renewed)))
            .Concat(revoked.Select(r => (r.Held.SiteId, Type: WebhookEventTypes.QualificationRevoked, Live: LiveEventTypes.QualificationRevoked,
                Payload: (object)new QualificationRevokedPayload(r.Held.PersonId, r.Held.QualificationId, r.Name, actor))))
            .ToList();
        await outbox.AddAsync(db, [.. events.Select(e => new WebhookEvent(e.Type, e.SiteId, now, e.Payload))], ct);
        await db.SaveChangesAsync(ct);
        foreach (var e in events) live.Publish(e.Live, e.SiteId, now, e.Payload);
    }

    public Task GrantedAsync(PortierDbContext db, PersonQualification held, string name, bool renewed, CurrentUser user, CancellationToken ct) =>
        SaveAsync(db, [(held, name, renewed)], [], user.Actor, ct);

    public Task RevokedAsync(PortierDbContext db, PersonQualification held, string name, CurrentUser user, CancellationToken ct)
    {
        db.Remove(held);
        return SaveAsync(db, [], [(held, name)], user.Actor, ct);
    }
}

public static class QualificationsExtensions
{
    public static IServiceCollection AddPortierQualifications(this IServiceCollection services) =>
        services.AddScoped<QualificationChanges>();
}

/// <summary>Which qualifications a principal sees: the shared ones and those of its sites (the site filter alone would hide the shared ones from a site's administrator).</summary>
public static class QualificationQueries
{
    public static IQueryable<Qualification> Visible(this PortierDbContext db, CurrentUser user)
    {
        var query = db.Set<Qualification>().IgnoreQueryFilters([SiteFilter.Name]);
        return user.VisibleSites is { } sites ? query.Where(q => q.SiteId == null || sites.Contains(q.SiteId.Value)) : query;
    }

    /// <summary>The qualifications usable at <paramref name="siteId"/>: shared ones and the site's own.</summary>
    public static IQueryable<Qualification> UsableAt(this PortierDbContext db, Guid siteId) =>
        db.Set<Qualification>().IgnoreQueryFilters([SiteFilter.Name]).Where(q => q.SiteId == null || q.SiteId == siteId);
}
