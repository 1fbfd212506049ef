using System.Security.Cryptography;
using System.Text;

namespace Portier.Server.Features.Webhooks;

/// <summary>Signatures per the Standard Webhooks specification (standardwebhooks.com).</summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary><c>v1,</c> + base64 HMAC-SHA256, keyed with the secret's decoded bytes, over <c>id.timestamp.body</c>.</summary>
    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
        var content = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }
}
