using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.AccessLog;

/// <summary>The result of walking a site's chain: intact, or the first row whose link does not hold.</summary>
public sealed record ChainVerification(Guid SiteId, long Checked, bool Intact, BrokenLink? FirstBroken);

/// <summary>
/// <c>hash_mismatch</c>: the row's fields or its predecessor's hash were changed;
/// <c>sequence_gap</c>: a row is missing (deleted) before this one.
/// </summary>
public sealed record BrokenLink(long Sequence, Guid EventId, string Problem);

public static class AccessLogVerifier
{
    /// <summary>Recomputes every hash of the site in sequence order, streaming the rows.</summary>
    public static async Task<ChainVerification> VerifyAsync(PortierDbContext db, Guid siteId, CancellationToken ct)
    {
        var previous = AccessEventChain.Genesis;
        long expected = 1, checkedCount = 0;
        var rows = db.Set<AccessEvent>().AsNoTracking().Where(e => e.SiteId == siteId).OrderBy(e => e.Sequence);
        await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            if (row.Sequence != expected) return Broken(row, "sequence_gap");
            if (AccessEventChain.Compute(row, previous) != row.Hash) return Broken(row, "hash_mismatch");
            previous = row.Hash;
            expected++;
            checkedCount++;
        }
        return new ChainVerification(siteId, checkedCount, true, null);

        ChainVerification Broken(AccessEvent row, string problem) =>
            new(siteId, checkedCount, false, new BrokenLink(row.Sequence, row.Id, problem));
    }

    /// <summary>The <c>verify</c> command: checks every site (or the given ones) and prints the result; exit code 1 on a broken chain.</summary>
    public static async Task<int> RunCommandAsync(IServiceProvider services, IReadOnlyList<string> args, TextWriter output)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var sites = args.Skip(1).Select(Guid.Parse).ToList();
        if (sites.Count == 0) sites = await db.Set<Sites.Site>().AsNoTracking().Select(s => s.Id).ToListAsync();
        var broken = 0;
        foreach (var site in sites)
        {
            var result = await VerifyAsync(db, site, CancellationToken.None);
            await output.WriteLineAsync(result.Intact
                ? $"site {site}: intact, {result.Checked} events"
                : $"site {site}: BROKEN at sequence {result.FirstBroken!.Sequence} (event {result.FirstBroken.EventId}): {result.FirstBroken.Problem}");
            if (!result.Intact) broken++;
        }
        return broken == 0 ? 0 : 1;
    }
}
