using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Portier.Server.Tests.Infrastructure;

public sealed record ReceivedCall(string Id, string Timestamp, string Signature, string? Authorization, string Body);

public sealed record ReceiverAnswer(int Status, string Body = "{}", string? RetryAfter = null);

/// <summary>A real HTTP endpoint on a free loopback port that records the calls it receives and answers as told.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public WebhookReceiver()
    {
        Url = $"http://127.0.0.1:{FreePort()}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }
    public ConcurrentQueue<ReceivedCall> Calls { get; } = new();
    public Func<ReceivedCall, ReceiverAnswer> Answer { get; set; } = _ => new ReceiverAnswer(200);
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>Down: every call is cut off before an answer (the caller sees the connection fail) and is not recorded.</summary>
    public bool Down { get; set; }

    /// <summary>A loopback URL where nothing listens: connecting is refused.</summary>
    public static string RefusingUrl() => $"http://127.0.0.1:{FreePort()}/";

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        if (Down)
        {
            context.Response.Abort();
            return;
        }
        using var reader = new StreamReader(context.Request.InputStream);
        var body = await reader.ReadToEndAsync();
        var call = new ReceivedCall(context.Request.Headers["webhook-id"] ?? "", context.Request.Headers["webhook-timestamp"] ?? "",
            context.Request.Headers["webhook-signature"] ?? "", context.Request.Headers["Authorization"], body);
        Calls.Enqueue(call);
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay);
        var answer = Answer(call);
        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is not null) context.Response.Headers["Retry-After"] = answer.RetryAfter;
        var bytes = System.Text.Encoding.UTF8.GetBytes(answer.Body);
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
