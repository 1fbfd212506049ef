using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// Site isolation for every query: each entity type of the model that belongs to a site (it has a
/// <c>SiteId</c>, or it is the <see cref="ISite"/> itself) gets a query filter admitting only the rows of
/// the sites the context's principal may see (<see cref="PortierDbContext.SeesAllSites"/>,
/// <see cref="PortierDbContext.VisibleSiteIds"/>). A row with no site (a nullable <c>SiteId</c> left
/// empty) concerns every site, so only a principal who sees all sites sees it.
/// </summary>
public static class SiteFilter
{
    public const string Name = "site";
    public const string SiteIdProperty = "SiteId";

    /// <summary>The site-owned entity types of <paramref name="model"/>, with the property naming each one's site.</summary>
    public static IEnumerable<(IReadOnlyEntityType Type, string SiteProperty)> SiteOwnedTypes(IReadOnlyModel model) =>
        model.GetEntityTypes()
            .Where(t => t.BaseType is null && !t.IsOwned())
            .Select(t => (Type: t, SiteProperty: typeof(ISite).IsAssignableFrom(t.ClrType) ? nameof(ISite.Id)
                : t.FindProperty(SiteIdProperty) is { } p && (p.ClrType == typeof(Guid) || p.ClrType == typeof(Guid?)) ? SiteIdProperty : null))
            .Where(t => t.SiteProperty is not null)
            .Select(t => (t.Type, t.SiteProperty!));

    public static void Apply(ModelBuilder modelBuilder, PortierDbContext context)
    {
        var db = Expression.Constant(context);
        var seesAll = Expression.Property(db, nameof(PortierDbContext.SeesAllSites));
        var visible = Expression.Property(db, nameof(PortierDbContext.VisibleSiteIds));
        foreach (var (type, siteProperty) in SiteOwnedTypes(modelBuilder.Model).ToList())
        {
            var row = Expression.Parameter(type.ClrType, "row");
            var site = Expression.Property(row, siteProperty);
            Expression visibleSite = site.Type == typeof(Guid)
                ? Contains(visible, site)
                : Expression.AndAlso(Expression.Property(site, nameof(Nullable<Guid>.HasValue)), Contains(visible, Expression.Property(site, nameof(Nullable<Guid>.Value))));
            modelBuilder.Entity(type.ClrType).HasQueryFilter(Name, Expression.Lambda(Expression.OrElse(seesAll, visibleSite), row));
        }
    }

    private static MethodCallExpression Contains(Expression ids, Expression id) =>
        Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(Guid)], ids, id);
}
