using System.Text.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Features.Events;
using Portier.Server.Infrastructure.Outbound;

namespace Portier.Server.Features.Providers;

/// <summary>The provider's answer to one call: how to treat it, a readable detail, and a Retry-After if it sent one.</summary>
public sealed record ProviderResult(ProviderOutcome Outcome, string Detail, Duration? RetryAfter = null, string? Body = null)
{
    public static ProviderResult Ok(string detail, string? body = null) => new(ProviderOutcome.Success, detail, null, body);
}

/// <summary>
/// Sends signed calls to a webhook provider through the outbound path, in the Standard Webhooks
/// style: one POST per call with <c>webhook-id</c> (the task id: the receiver's idempotency key, the
/// same on every retry), <c>webhook-timestamp</c> and <c>webhook-signature</c>, plus the provider's
/// bearer credentials when it has them.
/// </summary>
public sealed class WebhookProviderClient(OutboundClient outbound, IOptionsMonitor<EventAccessOptions> options)
{
    public async Task<ProviderResult> SendAsync(AccessProvider provider, string messageId, object payload, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, JsonOptions);
        var result = await outbound.PostAsync(new OutboundCall(provider.Url!, provider.SigningSecret!, messageId, body, options.CurrentValue.ProviderTimeout)
        {
            BearerToken = provider.ApiKey, ReadBody = true,
        }, ct);
        return result.Failure switch
        {
            null => Answered(provider, result),
            OutboundFailure.Timeout => new ProviderResult(ProviderOutcome.FromHttp(null), $"Webhook endpoint {provider.Url} did not answer in time."),
            OutboundFailure.AddressNotAllowed => new ProviderResult(ProviderOutcome.FromHttp(null),
                $"Webhook endpoint {provider.Url} is not allowed: {OutboundAddressGuard.Refusal}"),
            OutboundFailure.ConnectionFailed => new ProviderResult(ProviderOutcome.FromHttp(null), $"Webhook endpoint {provider.Url} is unreachable: {result.Error}."),
            _ => throw new System.Diagnostics.UnreachableException(),
        };
    }

    private static ProviderResult Answered(AccessProvider provider, OutboundResult result)
    {
        var status = result.StatusCode!.Value;
        var outcome = ProviderOutcome.FromHttp(status);
        return new ProviderResult(outcome, Describe(outcome, status, provider.Url!),
            result.RetryAfter is { } wait ? Duration.FromTimeSpan(wait) : null, result.Body);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

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
