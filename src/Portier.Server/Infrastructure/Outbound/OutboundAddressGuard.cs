using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Infrastructure.Outbound;

/// <summary>
/// Keeps outbound calls from reaching into the server's own network (SSRF). A URL is checked when it
/// is saved and again on every connection, against the address actually connected to, so a DNS
/// answer that changes after saving (rebinding) gains nothing.
/// </summary>
public sealed class OutboundAddressGuard(IOptionsMonitor<OutboundOptions> options)
{
    private static readonly IPAddress[] Metadata =
        [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("169.254.170.2"), IPAddress.Parse("100.100.100.200"), IPAddress.Parse("fd00:ec2::254")];

    /// <summary>Internal, shared and special ranges refused unless <see cref="OutboundOptions.AllowedNetworks"/> lists them.</summary>
    private static readonly IPNetwork[] Internal =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("224.0.0.0/3"),
        IPNetwork.Parse("::/96"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("fec0::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    /// <summary>The NAT64 prefix: such an address reaches the IPv4 address in its last four bytes.</summary>
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly OptionsCache _allowed = new(options);

    public bool IsAllowed(IPAddress address)
    {
        address = Unwrap(address);
        if (Metadata.Contains(address)) return false;
        if (!Internal.Any(n => n.Contains(address))) return true;
        return _allowed.Networks.Any(n => n.Contains(address));
    }

    /// <summary>IPv4-mapped and NAT64 addresses are judged by the IPv4 address they reach.</summary>
    private static IPAddress Unwrap(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && Nat64.Contains(address))
            return new IPAddress(address.GetAddressBytes()[12..]);
        return address;
    }

    /// <summary>
    /// The save-time check of a URL field: a 400 <c>address_not_allowed</c> problem when its host is
    /// (or resolves to) a guarded address, else null. The URL's shape is the request's own
    /// validation; a name that does not resolve now is accepted, since every connection is checked again.
    /// </summary>
    public async Task<ValidationProblem?> RefuseAsync(string? url, string field, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)) return null;
        if (!string.IsNullOrEmpty(uri.UserInfo)) return Problems.Invalid(AddressNotAllowedException.Code, field, "Must not contain credentials.");
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(uri.IdnHost, ct);
        }
        catch (SocketException)
        {
            return null;
        }
        return addresses.All(IsAllowed) ? null : Problems.Invalid(AddressNotAllowedException.Code, field, Refusal);
    }

    public const string Refusal =
        "The address is loopback, private, link-local, shared, multicast or a metadata address, which outbound calls may not reach (see Outbound:AllowedNetworks).";

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);

    /// <summary>
    /// The connect step of the outbound HTTP client: resolves the name, refuses it when any address
    /// is guarded (a name that also points inside is not trusted), and connects to the checked addresses.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveAsync(host, ct);
        if (addresses.Length == 0 || !addresses.All(IsAllowed)) throw new AddressNotAllowedException(host);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The parsed allow-list, parsed again only when the configuration changes.</summary>
    private sealed class OptionsCache
    {
        private volatile IReadOnlyList<IPNetwork> _networks;

        public OptionsCache(IOptionsMonitor<OutboundOptions> options)
        {
            _networks = options.CurrentValue.ParsedNetworks();
            options.OnChange(o => _networks = o.ParsedNetworks());
        }

        public IReadOnlyList<IPNetwork> Networks => _networks;
    }
}

public sealed class AddressNotAllowedException(string host)
    : Exception($"{host} resolves to an address outbound calls may not reach.")
{
    public const string Code = "address_not_allowed";
}
