using System.Security.Cryptography;
using System.Text;

namespace Portier.Server.Features.Devices;

/// <summary>
/// Pairing codes are short enough to type (8 characters from an alphabet without look-alikes,
/// 40 bits) because they live ten minutes, work once and redemption is rate-limited. Device
/// secrets carry 256 bits, so a plain SHA-256 (as for API tokens) is a sufficient hash.
/// </summary>
public static class DeviceSecrets
{
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    public static string NewPairingCode()
    {
        var chars = RandomNumberGenerator.GetItems<char>(Alphabet, 8);
        return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}";
    }

    /// <summary>Accepts the code however it was typed: any case, with or without the dash and spaces.</summary>
    public static string NormalizePairingCode(string code)
    {
        var builder = new StringBuilder(code.Length);
        foreach (var c in code)
        {
            if (c is '-' or ' ') continue;
            builder.Append(char.ToUpperInvariant(c));
        }
        return builder.ToString();
    }

    public static string NewSecret() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
