namespace Portier.Server.Infrastructure.Persistence;

/// <summary>An entity that belongs to one site; the site scopes both authorization and the audit trail.</summary>
public interface ISiteOwned
{
    Guid SiteId { get; }
}

/// <summary>The site itself: a principal sees a site exactly when the site is one of its visible sites.</summary>
public interface ISite
{
    Guid Id { get; }
}

/// <summary>
/// Which sites the principal behind the current unit of work may see. Every query of a site-owned
/// entity is limited to them by the model's query filter (<see cref="SiteFilter"/>).
/// </summary>
public interface ISiteAccess
{
    /// <summary>Null when every site is visible (full-access principals, background work, devices); otherwise the visible site ids.</summary>
    IReadOnlyList<Guid>? VisibleSites { get; }
}
