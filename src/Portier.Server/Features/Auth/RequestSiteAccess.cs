using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>
/// The sites a scope's queries see: within a request's own scope, those of the signed-in principal
/// (<see cref="CurrentUser.VisibleSites"/>, read at each query, so it follows authentication); in any
/// other scope (background work, the device path, caches rebuilt for every site) all of them, even
/// when that scope was opened while a request was running.
/// </summary>
public sealed class RequestSiteAccess(IHttpContextAccessor accessor, IServiceProvider scope) : ISiteAccess
{
    public IReadOnlyList<Guid>? VisibleSites =>
        accessor.HttpContext is { } http && ReferenceEquals(http.RequestServices, scope) ? new CurrentUser(accessor).VisibleSites : null;
}
