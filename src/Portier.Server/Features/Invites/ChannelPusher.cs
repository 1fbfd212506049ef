using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Portier.Server.Infrastructure;

namespace Portier.Server.Features.Invites;

/// <summary>
/// Delivers credential changes to an external channel: a JSON POST to its URL, signed with
/// <c>X-Portier-Signature: sha256=hex(HMAC-SHA256(signingSecret, body))</c>. Portier's own channel
/// needs nothing pushed. The answer becomes the invite's channel output; a failure is recorded there,
/// never thrown, so an unreachable system does not undo the invite.
/// </summary>
public sealed partial class ChannelPusher(IHttpClientFactory http, TimeProvider clock, ILogger<ChannelPusher> logger)
{
    public const string HttpClientName = "channels";
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
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, channel.Configuration["url"]) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(channel.Configuration["signingSecret"]), body);
            request.Headers.Add("X-Portier-Signature", "sha256=" + Convert.ToHexStringLower(signature));
            if (channel.Configuration.GetValueOrDefault("authMode") == "bearer")
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", channel.Configuration["bearerToken"]);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            return string.Create(CultureInfo.InvariantCulture, $"{at}: {eventName} → HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            LogPushFailed(logger, channel.Code, e);
            return string.Create(CultureInfo.InvariantCulture, $"{at}: {eventName} → failed: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel} push failed")]
    private static partial void LogPushFailed(ILogger logger, string channel, Exception exception);
}
