using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Audit;

/// <summary>
/// The result of walking the audit chain: intact, or the first link that does not hold (the problems
/// are those of the access log's <see cref="BrokenLink"/>); <c>unchained</c> counts entries written
/// before the trail was chained, which no link covers.
/// </summary>
public sealed record AuditVerification(long Checked, long Unchained, bool Intact, BrokenAuditLink? FirstBroken, ChainHeadResponse? Head);

public sealed record BrokenAuditLink(long Sequence, Guid? EntryId, string Problem);

public static class AuditVerifier
{
    /// <summary>Reads the head, then recomputes every chained entry up to it in sequence order, streaming them.</summary>
    public static async Task<AuditVerification> VerifyAsync(PortierDbContext db, CancellationToken ct)
    {
        var head = await ChainHeads.ReadAsync(db, AuditChain.Name, AuditChain.Scope, lockRow: false, ct);
        var walk = new ChainWalk(head);
        var entries = db.Set<AuditEntry>().AsNoTracking().Where(a => a.Sequence != null);
        if (walk.Through is { } through) entries = entries.Where(a => a.Sequence <= through);
        ChainBreak? broken = null;
        await foreach (var entry in entries.OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            broken = walk.Next(entry.Id, entry.Sequence!.Value, entry.Hash ?? "", previous => AuditChain.Compute(entry, previous));
            if (broken is not null) break;
        }
        broken ??= walk.End();
        var unchained = await db.Set<AuditEntry>().LongCountAsync(a => a.Sequence == null, ct);
        return new AuditVerification(walk.Checked, unchained, broken is null,
            broken is null ? null : new BrokenAuditLink(broken.Sequence, broken.RowId, broken.Code), ChainHeadResponse.From(head));
    }
}
