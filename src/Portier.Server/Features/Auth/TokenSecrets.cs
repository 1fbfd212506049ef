using System.Security.Cryptography;
using System.Text;

namespace Portier.Server.Features.Auth;

/// <summary>
/// Tokens carry 256 bits of randomness, so a fast unsalted SHA-256 is enough to make a stolen
/// table useless while keeping per-request lookup a single indexed read.
/// </summary>
public static class TokenSecrets
{
    public const string Prefix = "ptr_";

    public static string NewToken() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Runs on every authenticated request, so a token of usual length is hashed without allocating anything but the answer.</summary>
    public static string Hash(string token)
    {
        var most = Encoding.UTF8.GetMaxByteCount(token.Length);
        Span<byte> utf8 = most <= 1024 ? stackalloc byte[most] : new byte[most];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(token, utf8)], hash);
        return Convert.ToHexStringLower(hash);
    }

    public static string DisplayPrefix(string token) => token[..Math.Min(10, token.Length)];
}
