using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Portier.Browser.Tests;

/// <summary>A real HTTP receiver on a loopback port for webhooks: keeps each body and answers <see cref="Answer"/> (204 unless told otherwise).</summary>
public sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public ConcurrentQueue<string> Bodies { get; } = new();

    public HttpStatusCode Answer { get; set; } = HttpStatusCode.NoContent;

    public static async Task<LoopbackReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new LoopbackReceiver(app);
        app.MapPost("/hooks", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            receiver.Bodies.Enqueue(await reader.ReadToEndAsync());
            return Results.StatusCode((int)receiver.Answer);
        });
        await app.StartAsync();
        receiver.Url = app.Urls.First().Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/hooks";
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
