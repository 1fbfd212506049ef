using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NodaTime;
using Portier.Core.EventPolicies;

namespace Portier.Server.Features.Providers;

/// <summary>The provider's answer to one call: how to treat it, a readable detail, and a Retry-After if it sent one.</summary>
public sealed record ProviderResult(ProviderOutcome Outcome, string Detail, Duration? RetryAfter = null, string? Body = null)
{
    public static ProviderResult Ok(string detail, string? body = null) => new(ProviderOutcome.Success, detail, null, body);
}

/// <summary>
/// Sends signed calls to a webhook provider, in the Standard Webhooks style: one POST per call with
/// <c>webhook-id</c> (the task id: the receiver's idempotency key, the same on every retry),
/// <c>webhook-timestamp</c> (Unix seconds) and <c>webhook-signature</c> (<c>v1,</c> + base64 of
/// HMAC-SHA256 over <c>id.timestamp.body</c> keyed with the base64-decoded secret).
/// </summary>
public sealed class WebhookProviderClient(HttpClient http, TimeProvider clock)
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var signed = Encoding.UTF8.GetBytes($"{messageId}.{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    public async Task<ProviderResult> SendAsync(AccessProvider provider, string messageId, object payload, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(payload, JsonOptions);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, provider.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Sign(provider.SigningSecret!, messageId, timestamp, body));
        if (!string.IsNullOrEmpty(provider.ApiKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", provider.ApiKey);
        try
        {
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var status = (int)response.StatusCode;
            var outcome = ProviderOutcome.FromHttp(status);
            return new ProviderResult(outcome, Describe(outcome, status, provider.Url!), RetryAfter(response.Headers.RetryAfter), text);
        }
        catch (HttpRequestException e)
        {
            return new ProviderResult(ProviderOutcome.FromHttp(null), $"Webhook endpoint {provider.Url} is unreachable: {Reason(e)}.");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ProviderResult(ProviderOutcome.FromHttp(null), $"Webhook endpoint {provider.Url} did not answer in time.");
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static string Reason(HttpRequestException e) =>
        e.InnerException is SocketException socket ? socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "connection timed out",
            _ => socket.SocketErrorCode.ToString(),
        } : e.Message;

    private Duration? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta) return Duration.FromTimeSpan(delta);
        if (header?.Date is { } date) return Duration.FromTimeSpan(date - clock.GetUtcNow());
        return null;
    }

    public static string Describe(ProviderOutcome outcome, int status, string url) => outcome.Failure switch
    {
        null => $"Provider answered {status}.",
        AccessTaskFailure.ProviderCredentialsExpired => $"Provider credentials have expired or were refused ({status}). Update the credentials, then use Test Connection.",
        AccessTaskFailure.ZoneRemoved => $"The zone was removed from the provider ({status}). Re-sync zones or check whether the zone was deleted.",
        AccessTaskFailure.RateLimited => $"Temporary rate limit from the provider ({status}).",
        AccessTaskFailure.ProviderUnreachable => $"Webhook endpoint {url} is unreachable.",
        AccessTaskFailure.ProviderError or AccessTaskFailure.Missed => $"Provider answered {status}.",
        _ => $"Provider answered {status}.",
    };
}
