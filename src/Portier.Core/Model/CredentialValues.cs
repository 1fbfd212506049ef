namespace Portier.Core.Model;

/// <summary>
/// How presented numbers are written down, so the number an admin types and the number a reader
/// sends meet at the same lookup key.
/// </summary>
public static class CredentialValues
{
    public const int MaxPinLength = 12;
    public const int MaxCardLength = 64;
    public const int MaxBarcodeLength = 200;

    /// <summary>Kinds an admin enters by hand; QR, OTP and mobile credentials are issued by Portier.</summary>
    public static bool IsEnteredByHand(CredentialKind kind) => kind switch
    {
        CredentialKind.Card or CredentialKind.Barcode or CredentialKind.Pin => true,
        CredentialKind.Qr or CredentialKind.Otp or CredentialKind.Mobile => false,
        _ => false,
    };

    /// <summary>
    /// Card numbers (RFID/NFC UIDs, printed numbers): surrounding space and the separators labels and
    /// readers print (space, colon, hyphen) are dropped and hex letters upper-cased, so
    /// "04:a2:3f" and "04A23F" are one card. Decimal numbers stay as they are (leading zeros count).
    /// Null when what is left is not hex digits.
    /// </summary>
    public static string? NormalizeCard(string? raw)
    {
        if (raw is null) return null;
        var compact = string.Concat(raw.Where(c => c is not (' ' or ':' or '-' or '\t'))).ToUpperInvariant();
        return compact.Length is > 0 and <= MaxCardLength && compact.All(char.IsAsciiHexDigit) ? compact : null;
    }

    /// <summary>Barcodes are case-sensitive symbols: only surrounding space is trimmed; printable ASCII only.</summary>
    public static string? NormalizeBarcode(string? raw)
    {
        var trimmed = raw?.Trim();
        return trimmed is { Length: > 0 and <= MaxBarcodeLength } && trimmed.All(c => c is >= ' ' and <= '~') ? trimmed : null;
    }

    /// <summary>A PIN is 1–12 ASCII digits (the site's minimum length is checked separately).</summary>
    public static bool IsPinShaped(string? pin) => pin is { Length: > 0 and <= MaxPinLength } && pin.All(char.IsAsciiDigit);

    /// <summary>
    /// A PIN anyone would try first: one digit repeated (1111) or a straight run up or down
    /// (1234, 654321). Sites refuse them unless they allow weak PINs; Portier never issues one.
    /// </summary>
    public static bool IsWeakPin(string pin)
    {
        if (pin.Length < 2) return true;
        var step = pin[1] - pin[0];
        if (step is not (0 or 1 or -1)) return false;
        for (var i = 2; i < pin.Length; i++)
            if (pin[i] - pin[i - 1] != step) return false;
        return true;
    }
}
