using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Portier.Server.Tests.Webhooks;

public sealed record ReceivedWebhook(string Id, long Timestamp, string Signature, string Body);

/// <summary>
/// A real HTTP receiver on a loopback port: records what arrives and answers as told. It can be
/// stopped and started again on the same port, like a receiver that goes down.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication? _app;

    public int Port { get; } = FreePort();
    public string Url => $"http://127.0.0.1:{Port}/hooks";
    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Answers to give, in order; once used up, 204.</summary>
    public ConcurrentQueue<Func<HttpContext, Task<IResult>>> Script { get; } = new();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver.UpAsync();
        return receiver;
    }

    public async Task UpAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, Port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hooks", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            if (Script.TryDequeue(out var answer)) return await answer(http);
            Received.Enqueue(new ReceivedWebhook(http.Request.Headers["webhook-id"].ToString(),
                long.Parse(http.Request.Headers["webhook-timestamp"].ToString(), System.Globalization.CultureInfo.InvariantCulture),
                http.Request.Headers["webhook-signature"].ToString(), body));
            return Results.NoContent();
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task DownAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public ValueTask DisposeAsync() => new(DownAsync());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A receiver-side verifier written from the Standard Webhooks specification
/// (github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md), sharing
/// no code with the server: the signed content is <c>{id}.{timestamp}.{payload}</c>, the key is the
/// base64 part of the secret after <c>whsec_</c>, the header holds space-separated
/// <c>v1,{base64 HMAC-SHA256}</c> entries, and timestamps outside a tolerance are refused.
/// </summary>
public static class StandardWebhooksVerifier
{
    public static bool Verify(string secret, string id, string timestamp, string body, string signatureHeader, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, out var seconds)) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > 300) return false;
        const string prefix = "whsec_";
        var keyText = secret.StartsWith(prefix, StringComparison.Ordinal) ? secret.Substring(prefix.Length) : secret;
        using var hmac = new HMACSHA256(Convert.FromBase64String(keyText));
        var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes(id + "." + timestamp + "." + body));
        foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = entry.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || entry[..comma] != "v1") continue;
            byte[] presented;
            try { presented = Convert.FromBase64String(entry[(comma + 1)..]); }
            catch (FormatException) { continue; }
            if (CryptographicOperations.FixedTimeEquals(presented, expected)) return true;
        }
        return false;
    }

    public static bool Verify(string secret, ReceivedWebhook hook, DateTimeOffset now) =>
        Verify(secret, hook.Id, hook.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), hook.Body, hook.Signature, now);
}
