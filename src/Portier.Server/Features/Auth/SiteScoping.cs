using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

public static class SiteScoping
{
    /// <summary>
    /// Restricts a query to the caller's sites, so another site's object answers 404 exactly
    /// like one that does not exist. The model's site filter (<see cref="SiteFilter"/>) already does
    /// this for every query in a request; the remaining calls are redundant and go as their areas change.
    /// </summary>
    public static IQueryable<T> VisibleTo<T>(this IQueryable<T> query, CurrentUser user) where T : class, ISiteOwned =>
        user.VisibleSites is { } visible ? query.Where(e => visible.Contains(e.SiteId)) : query;

    /// <summary>The object with this id when it exists in one of the caller's sites (the site filter admits it); tracked, ready to change.</summary>
    public static Task<T?> FindVisibleAsync<T>(this PortierDbContext db, Guid id, CurrentUser user, CancellationToken ct)
        where T : class, IAudited, ISiteOwned =>
        db.Set<T>().FirstOrDefaultAsync(e => e.Id == id, ct);

    /// <summary>The GET of one object: its response when the caller may see it, otherwise a 404 naming <paramref name="what"/>.</summary>
    public static async Task<Results<Ok<TResponse>, ProblemHttpResult>> GetVisibleAsync<T, TResponse>(
        this PortierDbContext db, Guid id, CurrentUser user, Func<T, TResponse> project, string what, CancellationToken ct)
        where T : class, IAudited, ISiteOwned =>
        await db.Set<T>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct) is { } found
            ? TypedResults.Ok(project(found))
            : Problems.NotFound(what);

    /// <summary>True when the site exists and the caller may see it; a create naming any other site answers 404.</summary>
    public static async Task<bool> CanUseSiteAsync(this PortierDbContext db, Guid siteId, CurrentUser user, CancellationToken ct) =>
        user.CanSee(siteId) && await db.Set<Site>().AnyAsync(s => s.Id == siteId, ct);

    /// <summary>The ids among <paramref name="ids"/> that are not objects of <paramref name="siteId"/>.</summary>
    public static async Task<IReadOnlyList<Guid>> NotInSiteAsync<T>(this PortierDbContext db, Guid siteId, IEnumerable<Guid> ids, CancellationToken ct)
        where T : class, IAudited, ISiteOwned
    {
        var wanted = ids.Distinct().ToList();
        if (wanted.Count == 0) return [];
        var found = await db.Set<T>().Where(e => e.SiteId == siteId && wanted.Contains(e.Id)).Select(e => e.Id).ToListAsync(ct);
        return wanted.Except(found).ToList();
    }

    /// <summary>The list filter every site-owned resource shares: optional site, then name order (<c>name</c> or <c>-name</c>), ties by id.</summary>
    public static IQueryable<T> InSiteByName<T>(this IQueryable<T> query, Guid? siteId, string? sort, Expression<Func<T, string>> name)
        where T : class, IAudited, ISiteOwned
    {
        if (siteId is not null) query = query.Where(e => e.SiteId == siteId);
        return sort == "-name" ? query.OrderByDescending(name).ThenBy(e => e.Id) : query.OrderBy(name).ThenBy(e => e.Id);
    }
}
