using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Sites;

/// <summary>Checks a site id named in a request body or query, the same way for every feature.</summary>
public static class SiteReferences
{
    /// <summary>
    /// Null when the site exists and the caller may see it; otherwise a 400 <c>unknown_site</c>, the
    /// same answer for another site's id as for a made-up one.
    /// </summary>
    public static async Task<ProblemHttpResult?> CheckSiteAsync(this PortierDbContext db, CurrentUser user, Guid siteId, CancellationToken ct) =>
        user.CanSee(siteId) && await db.Set<Site>().AnyAsync(s => s.Id == siteId, ct)
            ? null
            : Problems.BadRequest("unknown_site", "The site does not exist.", "siteId");
}
