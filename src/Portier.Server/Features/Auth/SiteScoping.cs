using Portier.Server.Features.Audit;

namespace Portier.Server.Features.Auth;

public static class SiteScoping
{
    /// <summary>
    /// Restricts a query to the caller's sites, so another site's object answers 404 exactly
    /// like one that does not exist.
    /// </summary>
    public static IQueryable<T> VisibleTo<T>(this IQueryable<T> query, CurrentUser user) where T : class, ISiteOwned =>
        user.VisibleSites is { } visible ? query.Where(e => visible.Contains(e.SiteId)) : query;
}
