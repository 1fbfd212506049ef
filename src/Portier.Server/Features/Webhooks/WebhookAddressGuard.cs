using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Portier.Server.Features.Webhooks;

/// <summary>
/// Keeps webhooks from reaching into the server's own network (SSRF): checked when a URL is saved
/// and again on every connection, against the address actually connected to, so a DNS answer that
/// changes after saving gains nothing.
/// </summary>
public sealed class WebhookAddressGuard(IOptionsMonitor<WebhookOptions> options)
{
    private static readonly IPAddress[] Metadata =
        [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("169.254.170.2"), IPAddress.Parse("100.100.100.200"), IPAddress.Parse("fd00:ec2::254")];

    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var o = options.CurrentValue;
        if (Metadata.Contains(address)) return false;
        if (IPAddress.IsLoopback(address)) return o.AllowLoopback;
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast)) return false;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv6Multicast) return false;
            var first = address.GetAddressBytes()[0];
            var isPrivate = address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || (first & 0xFE) == 0xFC;
            return !isPrivate || o.AllowPrivateNetworks;
        }
        var b = address.GetAddressBytes();
        if (b[0] >= 224 || b[0] == 0) return false;
        var privateV4 = b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) || (b[0] == 169 && b[1] == 254);
        return !privateV4 || o.AllowPrivateNetworks;
    }

    /// <summary>Null when the URL may be used; otherwise why not.</summary>
    public async Task<string?> CheckUrlAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "Must be an absolute http or https URL.";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "Must not contain credentials.";
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, ct);
        }
        catch (SocketException)
        {
            return "The host name does not resolve.";
        }
        if (addresses.Length == 0) return "The host name does not resolve.";
        return addresses.All(IsAllowed) ? null : "Resolves to a loopback, private, link-local or metadata address, which webhooks may not reach.";
    }

    /// <summary>The connect step of the webhook HTTP client: resolves, refuses guarded addresses, connects to the first allowed one.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = addresses.Where(IsAllowed).ToArray();
        if (allowed.Length == 0) throw new WebhookAddressRefusedException(host);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

public sealed class WebhookAddressRefusedException(string host)
    : Exception($"{host} resolves only to addresses webhooks may not reach.");
