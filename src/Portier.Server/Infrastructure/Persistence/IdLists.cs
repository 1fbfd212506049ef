using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Audit;

namespace Portier.Server.Infrastructure.Persistence;

public static class IdLists
{
    /// <summary>
    /// Takes <paramref name="id"/> out of one id-list column (a scope's doors, a grant's doors or scopes)
    /// of every object in the site that lists it. The caller saves, so the removal commits with whatever
    /// deleted the object.
    /// </summary>
    public static async Task RemoveFromListsAsync<T>(this PortierDbContext db, Guid siteId, Guid id, Expression<Func<T, List<Guid>>> list, CancellationToken ct)
        where T : class, ISiteOwned
    {
        Expression<Func<Guid>> value = () => id;
        var lists = Expression.Lambda<Func<T, bool>>(
            Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(Guid)], list.Body, value.Body), list.Parameters);
        var listOf = list.Compile();
        foreach (var owner in await db.Set<T>().Where(e => e.SiteId == siteId).Where(lists).ToListAsync(ct))
            listOf(owner).RemoveAll(x => x == id);
    }
}
