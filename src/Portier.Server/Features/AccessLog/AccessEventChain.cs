using Portier.Core.Decisions;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portier.Server.Features.AccessLog;

/// <summary>
/// The per-site hash chain over the access log. Each row's hash covers its own canonical fields and
/// the hash of the row before it in the same site, so editing, removing or reordering any row
/// breaks every link after it.
/// </summary>
public static class AccessEventChain
{
    /// <summary>The "previous hash" of a site's first row.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string Compute(AccessEvent e, string previousHash)
    {
        // Each field is length-prefixed so no value can imitate a field boundary.
        var text = new StringBuilder(512);
        void Field(string? value) => text.Append(value?.Length.ToString(CultureInfo.InvariantCulture) ?? "-").Append(':').Append(value).Append(';');
        Field(e.Id.ToString("D"));
        Field(e.SiteId.ToString("D"));
        Field(e.Sequence.ToString(CultureInfo.InvariantCulture));
        Field(e.DoorId.ToString("D"));
        Field(e.ZoneId?.ToString("D"));
        Field(e.PersonId?.ToString("D"));
        Field(e.CredentialId?.ToString("D"));
        Field(e.CredentialKind?.ToString());
        Field(e.PresentedValue);
        Field(e.DeviceId?.ToString("D"));
        Field(e.AdminId?.ToString("D"));
        Field(e.Method.ToString());
        Field(e.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Field(e.Allowed ? "1" : "0");
        Field(e.Reason.ToCode());
        Field(e.Path.ToCode());
        Field(e.Outcome.ToString());
        Field(e.OutcomeOf?.ToString("D"));
        Field(e.CommandId?.ToString("D"));
        Field(previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
