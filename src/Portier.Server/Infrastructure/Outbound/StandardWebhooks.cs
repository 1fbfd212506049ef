using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portier.Server.Infrastructure.Outbound;

/// <summary>Why a signed inbound message was refused; <see cref="SignatureCheck.Valid"/> when it was not.</summary>
public enum SignatureCheck { Valid, Missing, BadSignature, OutsideWindow }

/// <summary>
/// Signatures per the Standard Webhooks specification (standardwebhooks.com): headers
/// <c>webhook-id</c>, <c>webhook-timestamp</c> (Unix seconds) and <c>webhook-signature</c>
/// (<c>v1,</c> + base64 HMAC-SHA256 over <c>id.timestamp.body</c>). The key is the base64 after
/// <c>whsec_</c> for such a secret, otherwise the secret's UTF-8 bytes (a secret typed in by hand
/// for an invite channel).
/// </summary>
public static class StandardWebhooks
{
    public const string SecretPrefix = "whsec_";
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string NewMessageId() => "msg_" + Guid.CreateVersion7().ToString("N");

    public static string Sign(string secret, string messageId, long timestamp, string body) =>
        Sign(secret, messageId, timestamp, Encoding.UTF8.GetBytes(body));

    public static string Sign(string secret, string messageId, long timestamp, ReadOnlySpan<byte> body) =>
        "v1," + Convert.ToBase64String(Hash(Key(secret), messageId, timestamp, body));

    /// <summary>
    /// Checks a received message: one of the space-separated <c>v1,</c> signatures must match (in
    /// constant time), and the timestamp must lie within <paramref name="window"/> of
    /// <paramref name="now"/> either way. The timestamp is trusted only once the signature holds.
    /// </summary>
    public static SignatureCheck Verify(
        string secret, string? messageId, string? timestamp, ReadOnlySpan<byte> body, string? signatures, DateTimeOffset now, TimeSpan window)
    {
        if (string.IsNullOrEmpty(messageId) || messageId.Length > MaxIdLength || string.IsNullOrEmpty(signatures)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return SignatureCheck.Missing;
        var expected = Hash(Key(secret), messageId, seconds, body);
        var matched = false;
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!candidate.StartsWith("v1,", StringComparison.Ordinal)) continue;
            var presented = new byte[expected.Length];
            if (Convert.TryFromBase64String(candidate[3..], presented, out var written) && written == expected.Length)
                matched |= CryptographicOperations.FixedTimeEquals(presented, expected);
        }
        if (!matched) return SignatureCheck.BadSignature;
        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        return age.Duration() <= window ? SignatureCheck.Valid : SignatureCheck.OutsideWindow;
    }

    public const int MaxIdLength = 100;

    private static byte[] Key(string secret)
    {
        if (secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            var key = new byte[secret.Length];
            if (Convert.TryFromBase64String(secret[SecretPrefix.Length..], key, out var length)) return key[..length];
        }
        return Encoding.UTF8.GetBytes(secret);
    }

    private static byte[] Hash(byte[] key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp}."));
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, content);
    }
}
