using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.AccessLog;

/// <summary>
/// The result of walking a site's chain: intact, or the first link that does not hold; with the head
/// the walk was judged against (record it elsewhere to notice a rewrite of the whole chain later).
/// </summary>
public sealed record ChainVerification(Guid SiteId, long Checked, bool Intact, BrokenLink? FirstBroken, ChainHeadResponse? Head);

/// <summary>
/// <c>hash_mismatch</c>: the row's fields or its predecessor's hash were changed;
/// <c>sequence_gap</c>: a row is missing (deleted) before this one;
/// <c>missing_tail</c>: the newest rows, from this sequence to the head's, were deleted (no event id);
/// <c>head_mismatch</c>: the last row is not the one the head names;
/// <c>missing_head</c>: the site has rows but its head was removed.
/// </summary>
public sealed record BrokenLink(long Sequence, Guid? EventId, string Problem)
{
    public static BrokenLink? From(ChainBreak? found) => found is null ? null : new(found.Sequence, found.RowId, found.Code);
}

/// <summary>A chain's head: the sequence and hash of its newest row.</summary>
public sealed record ChainHeadResponse(long Sequence, string Hash)
{
    public static ChainHeadResponse? From(ChainHead? head) => head is null ? null : new(head.Sequence, head.Hash);
}

public static class AccessLogVerifier
{
    /// <summary>
    /// Reads the site's head, then recomputes every hash up to it in sequence order, streaming the
    /// rows; events appended after the head was read are left for the next run.
    /// </summary>
    public static async Task<ChainVerification> VerifyAsync(PortierDbContext db, Guid siteId, CancellationToken ct)
    {
        var head = await ChainHeads.ReadAsync(db, AccessEventChain.Name, siteId, lockRow: false, ct);
        var walk = new ChainWalk(head);
        var rows = db.Set<AccessEvent>().AsNoTracking().Where(e => e.SiteId == siteId);
        if (walk.Through is { } through) rows = rows.Where(e => e.Sequence <= through);
        ChainBreak? broken = null;
        await foreach (var row in rows.OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            broken = walk.Next(row.Id, row.Sequence, row.Hash, previous => AccessEventChain.Compute(row, previous));
            if (broken is not null) break;
        }
        broken ??= walk.End();
        return new ChainVerification(siteId, walk.Checked, broken is null, BrokenLink.From(broken), ChainHeadResponse.From(head));
    }

    /// <summary>
    /// The <c>verify</c> command: checks the given sites' access logs, or every site's and the admin
    /// audit trail, and prints the result; exit code 1 on a broken chain.
    /// </summary>
    public static async Task<int> RunCommandAsync(IServiceProvider services, IReadOnlyList<string> args, TextWriter output)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var sites = args.Skip(1).Select(Guid.Parse).ToList();
        var everything = sites.Count == 0;
        if (everything) sites = await db.Set<Sites.Site>().AsNoTracking().Select(s => s.Id).ToListAsync();
        var broken = 0;
        foreach (var site in sites)
        {
            var result = await VerifyAsync(db, site, CancellationToken.None);
            await output.WriteLineAsync(result.Intact
                ? $"site {site}: intact, {result.Checked} events"
                : $"site {site}: BROKEN at sequence {result.FirstBroken!.Sequence}{(result.FirstBroken.EventId is { } id ? $" (event {id})" : "")}: {result.FirstBroken.Problem}");
            if (!result.Intact) broken++;
        }
        if (!everything) return broken == 0 ? 0 : 1;
        var audit = await Audit.AuditVerifier.VerifyAsync(db, CancellationToken.None);
        await output.WriteLineAsync(audit.Intact
            ? $"audit trail: intact, {audit.Checked} entries"
            : $"audit trail: BROKEN at sequence {audit.FirstBroken!.Sequence}{(audit.FirstBroken.EntryId is { } entry ? $" (entry {entry})" : "")}: {audit.FirstBroken.Problem}");
        if (!audit.Intact) broken++;
        return broken == 0 ? 0 : 1;
    }
}
