using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Portier.Server.Infrastructure.Outbound;

/// <summary>Rules for every call Portier makes to a URL an administrator entered (webhooks, access providers, invite channels).</summary>
public sealed class OutboundOptions : IValidatableObject
{
    public const string Section = "Outbound";

    /// <summary>
    /// Networks in CIDR form (<c>10.20.0.0/16</c>, <c>127.0.0.0/8</c>, <c>fd00:1::/64</c>) that calls may
    /// reach although they are internal. Empty (the default): only public addresses. Cloud metadata
    /// addresses stay refused whatever is listed.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    public IReadOnlyList<IPNetwork> ParsedNetworks() => AllowedNetworks.Select(IPNetwork.Parse).ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in AllowedNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
            yield return new ValidationResult($"Outbound:AllowedNetworks: '{network}' is not a network in CIDR form (e.g. 10.0.0.0/8).", [nameof(AllowedNetworks)]);
    }
}
