using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Portier.Server.Infrastructure.Hosting;

/// <summary>The proxies whose forwarded headers are believed (section <c>ReverseProxy</c>).</summary>
public sealed class ReverseProxyOptions
{
    public const string Section = "ReverseProxy";

    /// <summary>Addresses of the proxies, e.g. <c>127.0.0.1</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks the proxies are in, e.g. <c>10.0.0.0/24</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many trusted proxies in a row are read from the end of X-Forwarded-For.</summary>
    public int ForwardLimit { get; set; } = 1;
}

/// <summary>
/// Behind a reverse proxy the connection's address is the proxy's: the caller's own address and
/// scheme arrive in <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c>. Those headers are believed
/// only from the proxies the operator names, because sign-in limits and guessing counters key on
/// the caller's address: a header believed from anyone would let a guesser pick a fresh address per
/// try. With none named, the headers are ignored and the connection's address is the caller's.
/// </summary>
public static class ReverseProxyHeaders
{
    public static WebApplication UseReverseProxyHeaders(this WebApplication app)
    {
        if (Options(app.Configuration) is { } options) app.UseForwardedHeaders(options);
        return app;
    }

    /// <summary>The middleware's options from configuration, or null when no proxy is named.</summary>
    public static ForwardedHeadersOptions? Options(IConfiguration configuration)
    {
        var settings = configuration.GetSection(ReverseProxyOptions.Section).Get<ReverseProxyOptions>() ?? new();
        var proxies = settings.KnownProxies.Where(p => p.Length > 0).ToList();
        var networks = settings.KnownNetworks.Where(n => n.Length > 0).ToList();
        if (proxies.Count == 0 && networks.Count == 0) return null;
        if (settings.ForwardLimit < 1)
            throw new InvalidOperationException($"{ReverseProxyOptions.Section}:ForwardLimit must be 1 or more.");
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // One proxy hop by default: a proxy that appends the address it saw to what the caller sent
            // vouches only for the last entry; the ones before it are the caller's own claims.
            ForwardLimit = settings.ForwardLimit,
        };
        // The defaults trust loopback; only what the operator names is trusted here.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                ? address
                : throw new InvalidOperationException($"{ReverseProxyOptions.Section}:KnownProxies holds '{proxy}', which is not an IP address."));
        foreach (var network in networks)
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"{ReverseProxyOptions.Section}:KnownNetworks holds '{network}', which is not a network such as 10.0.0.0/24."));
        return options;
    }
}
