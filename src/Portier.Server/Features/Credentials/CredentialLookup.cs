using Portier.Core.Model;

namespace Portier.Server.Features.Credentials;

/// <summary>
/// Turns what a reader or a dry run presents into the key a credential is stored and decided
/// under: a normalized card or barcode number, or a PIN's keyed hash at that site. Null when
/// the value cannot be a credential of that kind.
/// </summary>
public static class CredentialLookup
{
    public static string? KeyFor(PinHasher pins, Guid siteId, CredentialKind kind, string presented) => kind switch
    {
        CredentialKind.Card => CredentialValues.NormalizeCard(presented),
        CredentialKind.Barcode => CredentialValues.NormalizeBarcode(presented),
        CredentialKind.Pin => CredentialValues.IsPinShaped(presented) ? pins.Hash(siteId, presented) : null,
        CredentialKind.Otp => CredentialValues.IsPinShaped(presented) ? OtpKey(pins, siteId, presented) : null,
        CredentialKind.Qr or CredentialKind.Mobile => presented.Trim() is { Length: > 0 } trimmed ? trimmed : null,
        _ => null,
    };

    /// <summary>One-time codes are hashed like PINs, in their own namespace so a code never matches a PIN.</summary>
    public static string OtpKey(PinHasher pins, Guid siteId, string code) => pins.Hash(siteId, "otp:" + code);
}
