namespace Portier.Server.Features.Bundles;

public static class BundlesRoutes
{
    /// <summary>Under the sites group: every controller of the site with its bundle state.</summary>
    public const string OfSite = "/{id:guid}/bundles";
    /// <summary>Under the devices group: one controller's bundle state.</summary>
    public const string OfDevice = "/{id:guid}/bundle";
}
