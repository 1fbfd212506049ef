using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Portier.Simulator;

/// <summary>
/// A webhook receiver for trying subscriptions out: listens on loopback, checks each delivery's
/// Standard Webhooks signature and timestamp with the endpoint's secret, answers 204 when it holds
/// (401 when not), and prints the event.
/// </summary>
public static class WebhookListener
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static async Task<int> ListenAsync(int port, string secret, TimeProvider clock, CancellationToken ct)
    {
        if (!secret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("--secret must be the endpoint's secret, starting with whsec_.");
            return 1;
        }
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        Console.WriteLine($"Receiving webhooks at http://127.0.0.1:{port}/ (allow loopback targets on the server with Outbound:AllowedNetworks:0=127.0.0.0/8). Ctrl+C stops.");
        using var registration = ct.Register(listener.Stop);
        while (!ct.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) when (ct.IsCancellationRequested) { break; }
            await AnswerAsync(context, secret, clock);
        }
        return 0;
    }

    private static async Task AnswerAsync(HttpListenerContext context, string secret, TimeProvider clock)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers;
        var valid = Verify(secret, headers["webhook-id"], headers["webhook-timestamp"], body, headers["webhook-signature"], clock.GetUtcNow());
        context.Response.StatusCode = valid ? 204 : 401;
        context.Response.Close();
        Console.WriteLine($"{(valid ? "signed ok" : "BAD SIGNATURE")} {headers["webhook-id"]} {body}");
    }

    /// <summary>Checks <c>v1,</c> + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")) in constant time, within five minutes of now.</summary>
    public static bool Verify(string secret, string? id, string? timestamp, string body, string? signatures, DateTimeOffset now)
    {
        if (id is null || signatures is null || !long.TryParse(timestamp, out var seconds)) return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance) return false;
        byte[] key;
        try { key = Convert.FromBase64String(secret["whsec_".Length..]); }
        catch (FormatException) { return false; }
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        Span<byte> presented = stackalloc byte[64];
        foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry.Split(',', 2) is not ["v1", var signature]) continue;
            if (Convert.TryFromBase64String(signature, presented, out var written)
                && CryptographicOperations.FixedTimeEquals(presented[..written], expected)) return true;
        }
        return false;
    }
}
