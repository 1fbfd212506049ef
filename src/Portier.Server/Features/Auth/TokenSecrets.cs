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

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string DisplayPrefix(string token) => token[..Math.Min(10, token.Length)];
}
