using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Qualifications;

/// <summary>The check a door or scope's <c>requiredQualificationIds</c> passes: each a qualification shared or of the door's site.</summary>
public static class QualificationRequirements
{
    public static async Task<ValidationProblem?> UnknownAsync(PortierDbContext db, Guid siteId, IReadOnlyList<Guid>? ids, CancellationToken ct)
    {
        if (ids is not { Count: > 0 }) return null;
        var known = await db.UsableAt(siteId).Where(q => ids.Contains(q.Id)).Select(q => q.Id).ToListAsync(ct);
        var unknown = ids.Except(known).ToList();
        return unknown.Count == 0
            ? null
            : Problems.Invalid("unknown_qualification", "requiredQualificationIds", $"Not qualifications shared or of this site: {string.Join(", ", unknown)}.");
    }
}
