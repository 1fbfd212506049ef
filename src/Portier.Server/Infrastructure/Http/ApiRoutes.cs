namespace Portier.Server.Infrastructure.Http;

/// <summary>
/// Where the HTTP API lives. Each feature names its routes in a <c>*Routes</c> class that both its
/// endpoint mapping and the console's client use, so a route renamed in one place changes both.
/// </summary>
public static class ApiRoutes
{
    /// <summary>Every API group is mapped under this prefix: <c>/api/v1/{group}</c>.</summary>
    public const string Prefix = "/api/v1/";

    /// <summary>The root of a group, for list and create.</summary>
    public const string Root = "/";

    /// <summary>One item of a group, by id.</summary>
    public const string Item = "/{id:guid}";
}
