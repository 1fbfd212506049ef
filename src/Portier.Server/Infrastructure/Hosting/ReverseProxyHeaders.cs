using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Portier.Server.Infrastructure.Hosting;

/// <summary>
/// Behind a reverse proxy the connection's address is the proxy's: the caller's own address and
/// scheme arrive in <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c>. Those headers are believed
/// only from the proxies the operator names (<c>ReverseProxy:KnownProxies</c>,
/// <c>ReverseProxy:KnownNetworks</c>), because sign-in limits and guessing counters key on the
/// caller's address: a header believed from anyone would let a guesser pick a fresh address per try.
/// With neither setting, the headers are ignored and the connection's address is the caller's.
/// </summary>
public static class ReverseProxyHeaders
{
    public const string Section = "ReverseProxy";

    public static WebApplication UseReverseProxyHeaders(this WebApplication app)
    {
        if (Options(app.Configuration) is { } options) app.UseForwardedHeaders(options);
        return app;
    }

    /// <summary>The middleware's options from configuration, or null when no proxy is named.</summary>
    public static ForwardedHeadersOptions? Options(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var proxies = Values(section, "KnownProxies");
        var networks = Values(section, "KnownNetworks");
        if (proxies.Count == 0 && networks.Count == 0) return null;
        // The defaults trust loopback; only what the operator names is trusted here.
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // One proxy hop by default: the proxy appends the address it saw to whatever the caller
            // sent, so only the last entry is the proxy's word; the ones before it are the caller's.
            ForwardLimit = section.GetValue("ForwardLimit", 1),
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                ? address
                : throw new InvalidOperationException($"{Section}:KnownProxies holds '{proxy}', which is not an IP address."));
        foreach (var network in networks)
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"{Section}:KnownNetworks holds '{network}', which is not a network such as 10.0.0.0/24."));
        return options;
    }

    private static List<string> Values(IConfigurationSection section, string key) =>
        section.GetSection(key).GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0).ToList();
}
