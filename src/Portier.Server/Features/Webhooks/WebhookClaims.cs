using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Webhooks;

/// <summary>
/// Claims of deliveries by dispatcher passes, so that several server instances on one database never
/// send one delivery twice and each endpoint still gets its deliveries in order. A pass claims the
/// oldest pending deliveries of an endpoint with its token and a lease, and only while no other pass
/// holds a live claim on that endpoint: on PostgreSQL under the endpoint's row lock
/// (<c>FOR NO KEY UPDATE SKIP LOCKED</c>, which leaves new deliveries free to be inserted), on SQLite in
/// one conditional UPDATE (atomic because SQLite serializes writers). Recording an attempt checks the
/// token (a concurrency token), so a pass that lost its lease cannot overwrite the next one's result.
/// A claim left behind by a crash expires with its lease and the deliveries are claimed again.
/// </summary>
public static class WebhookClaims
{
    /// <summary>Claims up to <paramref name="max"/> of the endpoint's oldest pending deliveries for <paramref name="token"/>; answers how many.</summary>
    public static async Task<int> ClaimAsync(PortierDbContext db, Guid endpointId, Guid token, Instant now, Instant until, int max, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql()) return await ClaimHeadAsync(db, endpointId, token, now, until, max, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var locked = await db.Database.SqlQuery<Guid>($"""
            SELECT "Id" AS "Value" FROM webhook_endpoints WHERE "Id" = {endpointId} FOR NO KEY UPDATE SKIP LOCKED
            """).ToListAsync(ct);
        // Another pass is claiming for this endpoint right now: it gets the endpoint this time.
        var claimed = locked.Count == 0 ? 0 : await ClaimHeadAsync(db, endpointId, token, now, until, max, ct);
        await transaction.CommitAsync(ct);
        return claimed;
    }

    private static Task<int> ClaimHeadAsync(PortierDbContext db, Guid endpointId, Guid token, Instant now, Instant until, int max, CancellationToken ct)
    {
        var pending = db.Set<WebhookDelivery>().Where(d => d.EndpointId == endpointId && d.Status == DeliveryStatus.Pending);
        var head = pending.OrderBy(d => d.Id).Take(max).Select(d => d.Id);
        return pending
            .Where(d => head.Contains(d.Id) && !pending.Any(o => o.ClaimToken != null && o.ClaimToken != token && o.ClaimedUntil > now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimToken, token).SetProperty(d => d.ClaimedUntil, until), ct);
    }

    /// <summary>The deliveries the pass holds, oldest first (only pending ones are ever claimed, so the endpoint's index finds them).</summary>
    public static IQueryable<WebhookDelivery> Claimed(PortierDbContext db, Guid endpointId, Guid token) =>
        db.Set<WebhookDelivery>().Where(d => d.EndpointId == endpointId && d.Status == DeliveryStatus.Pending && d.ClaimToken == token).OrderBy(d => d.Id);

    /// <summary>Extends the pass's claims to <paramref name="until"/>; false when they were lost (taken over after they lapsed).</summary>
    public static async Task<bool> RenewAsync(PortierDbContext db, Guid endpointId, Guid token, Instant until, CancellationToken ct) =>
        await Claimed(db, endpointId, token).ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimedUntil, until), ct) > 0;

    /// <summary>Gives back what the pass claimed but will not send (held back by an earlier delivery, or the pass is stopping).</summary>
    public static Task<int> ReleaseAsync(PortierDbContext db, Guid endpointId, Guid token, CancellationToken ct) =>
        Claimed(db, endpointId, token)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimToken, (Guid?)null).SetProperty(d => d.ClaimedUntil, (Instant?)null), ct);
}
