using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Polly.Timeout;

namespace Portier.Server.Infrastructure.Outbound;

/// <summary>One signed POST: the body is sent as is and signed with <see cref="Secret"/> (Standard Webhooks).</summary>
public sealed record OutboundCall(string Url, string Secret, string MessageId, ReadOnlyMemory<byte> Body, TimeSpan Timeout)
{
    /// <summary>Sent as <c>Authorization: Bearer …</c> when set.</summary>
    public string? BearerToken { get; init; }

    /// <summary>Reads the answer's body (a provider's zone list); otherwise only the status is awaited.</summary>
    public bool ReadBody { get; init; }
}

public enum OutboundFailure { Timeout, AddressNotAllowed, ConnectionFailed }

/// <summary>An answer (<see cref="StatusCode"/>) or why there was none (<see cref="Failure"/> with a readable <see cref="Error"/>).</summary>
public sealed record OutboundResult(int? StatusCode, OutboundFailure? Failure, string? Error, int DurationMs, TimeSpan? RetryAfter, string? Body)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>
/// The one way Portier calls out to a URL an administrator entered: webhook deliveries, access
/// provider calls and invite channel pushes. Each call is signed, goes through the address guard
/// on connect, never follows a redirect, and is bounded by its timeout (per attempt; a connection
/// that fails before an answer is tried again twice, see <see cref="OutboundExtensions"/>).
/// </summary>
public sealed class OutboundClient(IHttpClientFactory http, TimeProvider clock)
{
    public const string HttpClientName = "outbound";

    internal static readonly HttpRequestOptionsKey<TimeSpan> AttemptTimeout = new("portier.outbound.attempt-timeout");

    public async Task<OutboundResult> PostAsync(OutboundCall call, CancellationToken ct)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, call.Url) { Content = new ReadOnlyMemoryContent(call.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(StandardWebhooks.IdHeader, call.MessageId);
        request.Headers.Add(StandardWebhooks.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(call.Secret, call.MessageId, timestamp, call.Body.Span));
        if (!string.IsNullOrEmpty(call.BearerToken)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", call.BearerToken);
        request.Options.Set(AttemptTimeout, call.Timeout);

        // The receiver's deadline is real time on the wire, not the injected clock.
        var started = Stopwatch.GetTimestamp();
        int Elapsed() => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            var completion = call.ReadBody ? HttpCompletionOption.ResponseContentRead : HttpCompletionOption.ResponseHeadersRead;
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, completion, ct);
            var body = call.ReadBody ? await response.Content.ReadAsStringAsync(ct) : null;
            return new OutboundResult((int)response.StatusCode, null, null, Elapsed(), RetryAfter(response.Headers.RetryAfter), body);
        }
        catch (Exception e) when (e is TimeoutRejectedException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new OutboundResult(null, OutboundFailure.Timeout, "timeout", Elapsed(), null, null);
        }
        catch (HttpRequestException e) when (e.InnerException is AddressNotAllowedException refused)
        {
            return new OutboundResult(null, OutboundFailure.AddressNotAllowed, refused.Message, Elapsed(), null, null);
        }
        catch (HttpRequestException e)
        {
            return new OutboundResult(null, OutboundFailure.ConnectionFailed, Reason(e), Elapsed(), null, null);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            // A receiver that resets the connection as soon as it is accepted (a load balancer with no
            // backend) surfaces from the handler as a bare socket error, not an HttpRequestException.
            return new OutboundResult(null, OutboundFailure.ConnectionFailed, e.Message, Elapsed(), null, null);
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow(),
        _ => null,
    };

    private static string Reason(HttpRequestException e) =>
        e.InnerException is SocketException socket ? socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "connection timed out",
            _ => socket.SocketErrorCode.ToString(),
        } : e.Message;
}
