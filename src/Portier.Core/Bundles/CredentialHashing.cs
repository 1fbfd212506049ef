using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Portier.Core.Model;

namespace Portier.Core.Bundles;

/// <summary>
/// How a bundle names a credential without carrying it: HMAC-SHA256 under the site's credential
/// key of "{kind}:{normalized value}", its first 16 bytes in unpadded base64url. The controller
/// learns the key at pairing and hashes what its reader reads the same way.
/// </summary>
/// <remarks>
/// PINs and one-time codes are never carried: a keyed hash of a few digits falls to a million
/// guesses once a controller's key is read out of its memory, so offline they are refused.
/// </remarks>
public static class CredentialHashing
{
    public const int KeyBytes = 32;
    private const int HashBytes = 16;

    /// <summary>Whether a controller can check this kind without the server.</summary>
    public static bool CarriedOffline(CredentialKind kind) => kind is CredentialKind.Card or CredentialKind.Barcode or CredentialKind.Qr or CredentialKind.Mobile;

    /// <summary>What a reader read, written as the server stores it; null when it cannot be a carried credential of that kind.</summary>
    public static string? Normalize(CredentialKind kind, string presented) => kind switch
    {
        CredentialKind.Card => CredentialValues.NormalizeCard(presented),
        CredentialKind.Barcode => CredentialValues.NormalizeBarcode(presented),
        CredentialKind.Qr or CredentialKind.Mobile => presented.Trim() is { Length: > 0 } trimmed ? trimmed : null,
        CredentialKind.Pin or CredentialKind.Otp => null,
        _ => null,
    };

    /// <summary>The bundle's name for a stored (already normalized) credential value.</summary>
    public static string Hash(ReadOnlySpan<byte> key, CredentialKind kind, string normalizedValue)
    {
        var prefix = BundleNames.Of(kind);
        var length = prefix.Length + 1 + Encoding.UTF8.GetMaxByteCount(normalizedValue.Length);
        Span<byte> message = length <= 512 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(prefix, message);
        message[written++] = (byte)':';
        written += Encoding.UTF8.GetBytes(normalizedValue, message[written..]);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, message[..written], mac);
        return Base64Url.EncodeToString(mac[..HashBytes]);
    }

    /// <summary>The hash of what a reader read, or null when this kind or value cannot be checked offline.</summary>
    public static string? HashPresented(ReadOnlySpan<byte> key, CredentialKind kind, string presented) =>
        Normalize(kind, presented) is { } normalized ? Hash(key, kind, normalized) : null;
}
