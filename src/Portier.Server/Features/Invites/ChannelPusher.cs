using System.Globalization;
using System.Text.Json;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Logging;
using Portier.Server.Infrastructure.Outbound;

namespace Portier.Server.Features.Invites;

/// <summary>
/// Delivers credential changes to an external channel: a JSON POST to its URL through the outbound
/// path, signed the Standard Webhooks way with the channel's signing secret. Portier's own channel
/// needs nothing pushed. The answer becomes the invite's channel output; a failure is recorded there,
/// never thrown, so an unreachable system does not undo the invite.
/// </summary>
public sealed partial class ChannelPusher(OutboundClient outbound, TimeProvider clock, ILogger<ChannelPusher> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Null when there is nothing to push (the built-in channel).</summary>
    public async Task<string?> PushAsync(InviteContext context, string eventName, string? pin, string? qr, CancellationToken ct)
    {
        if (context.Channel is not { } channel || !context.Handler.IsExternal) return null;
        var invite = context.Invite;
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            @event = eventName,
            channel = channel.Code,
            deviceId = channel.Configuration.GetValueOrDefault("deviceId"),
            invite = new
            {
                reference = invite.Reference,
                siteId = invite.SiteId,
                status = invite.Status.ToString().ToLowerInvariant(),
                visitor = new { name = invite.VisitorName, email = invite.VisitorEmail, phone = invite.VisitorPhone },
                validFrom = invite.ValidFrom.ToDateTimeOffset(),
                validUntil = invite.ValidUntil.ToDateTimeOffset(),
                methods = context.EntryType.Methods.Select(m => m.ToString().ToLowerInvariant()),
            },
            pin,
            qr,
        }, Json);
        var at = clock.GetCurrentInstant();
        var configuration = channel.Configuration;
        var result = await outbound.PostAsync(new OutboundCall(configuration["url"], configuration["signingSecret"], StandardWebhooks.NewMessageId(), body, Timeout)
        {
            BearerToken = configuration.GetValueOrDefault("authMode") == "bearer" ? configuration["bearerToken"] : null,
        }, ct);
        if (result.StatusCode is { } status) return string.Create(CultureInfo.InvariantCulture, $"{at}: {eventName} → HTTP {status}");
        LogPushFailed(logger, channel.Code, result.Failure!.Value, LogSafe.Escape(result.Error));
        return string.Create(CultureInfo.InvariantCulture, $"{at}: {eventName} → failed: {result.Error}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel} push failed: {Failure}: {Error}")]
    private static partial void LogPushFailed(ILogger logger, string channel, OutboundFailure failure, string error);
}
