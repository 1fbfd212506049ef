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
    private readonly int _port;
    private Task _loop;
    private TcpListener? _cutoff;
    private Task? _cutoffLoop;

    public WebhookReceiver()
    {
        _port = FreePort();
        Url = $"http://127.0.0.1:{_port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }
    public ConcurrentQueue<ReceivedCall> Calls { get; } = new();
    public Func<ReceivedCall, ReceiverAnswer> Answer { get; set; } = _ => new ReceiverAnswer(200);
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Down: the port accepts connections and closes them before any answer, so a call fails at once
    /// (not refused, which the outbound path would retry within the call) and nothing is recorded.
    /// </summary>
    public bool Down
    {
        get => _cutoff is not null;
        set
        {
            if (value == Down) return;
            if (value)
            {
                _listener.Stop();
                _loop.Wait(TimeSpan.FromSeconds(5));
                _cutoff = new TcpListener(IPAddress.Loopback, _port);
                _cutoff.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                _cutoff.Start();
                _cutoffLoop = Task.Run(() => CutOffAsync(_cutoff));
                return;
            }
            _cutoff!.Stop();
            _cutoffLoop!.Wait(TimeSpan.FromSeconds(5));
            _cutoff = null;
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }
    }

    private static async Task CutOffAsync(TcpListener cutoff)
    {
        while (true)
        {
            Socket socket;
            try { socket = await cutoff.AcceptSocketAsync(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException) { return; }
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
    }

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
        _cutoff?.Stop();
        _listener.Stop();
        _listener.Close();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
