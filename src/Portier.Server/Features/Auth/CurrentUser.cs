using System.Security.Claims;

namespace Portier.Server.Features.Auth;

/// <summary>Who is calling, what they may do, and which sites they may see.</summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    private ClaimsPrincipal User => accessor.HttpContext?.User ?? new ClaimsPrincipal();

    public bool IsAuthenticated => User.Identity?.IsAuthenticated == true;

    /// <summary>Set for a member app session.</summary>
    public Guid? PersonId => Guid.TryParse(User.FindFirstValue(PortierClaims.Person), out var id) ? id : null;

    public Guid? AdminId => Guid.TryParse(User.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    /// <summary>The API token or admin session this request came with.</summary>
    public Guid? TokenId => Guid.TryParse(User.FindFirstValue(PortierClaims.TokenId), out var id) ? id : null;

    /// <summary>The name recorded in the audit trail.</summary>
    public string Actor => IsAuthenticated ? User.FindFirstValue(ClaimTypes.Name) ?? "unknown" : "system";

    public bool Has(string permission) => HasPermission(User, permission);

    public static bool HasPermission(ClaimsPrincipal user, string permission) =>
        user.HasClaim(PortierClaims.Permission, permission) || user.HasClaim(PortierClaims.Permission, Permissions.FullAccess);

    /// <summary>Null when every site is visible; otherwise the visible site ids.</summary>
    public IReadOnlyList<Guid>? VisibleSites =>
        User.HasClaim(PortierClaims.SiteLimited, "true")
            ? User.FindAll(PortierClaims.Site).Select(c => Guid.Parse(c.Value)).ToList()
            : null;

    public bool CanSee(Guid siteId) => VisibleSites is not { } sites || sites.Contains(siteId);
}
