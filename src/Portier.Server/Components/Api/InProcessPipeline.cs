using System.Net;
using Microsoft.AspNetCore.Http.Features;

namespace Portier.Server.Components.Api;

/// <summary>
/// This server's own request pipeline, run in process: a request goes through authentication,
/// authorization, routing, validation and the endpoint exactly as one from the network does, without
/// a socket and without knowing which address the server listens on.
/// </summary>
public sealed class InProcessPipeline(IHttpContextFactory contexts)
{
    private RequestDelegate? _pipeline;

    /// <summary>Runs <paramref name="request"/> and writes the answer to <paramref name="response"/>.</summary>
    public async Task SendAsync(InProcessRequest request, InProcessResponse response, CancellationToken ct)
    {
        var pipeline = _pipeline ?? throw new InvalidOperationException("The request pipeline is not built yet; the server has not started.");
        // Like a request from the network, the pipeline runs on the thread pool with a clean execution
        // context: nothing of the caller (a console circuit's synchronization context, its ambient
        // values) leaks into the request.
        Task run;
        using (ExecutionContext.SuppressFlow()) run = Task.Run(() => RunAsync(pipeline, request, response, ct), ct);
        await run;
    }

    private async Task RunAsync(RequestDelegate pipeline, InProcessRequest request, InProcessResponse response, CancellationToken ct)
    {
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request.ToFeature());
        // Endpoints read a body only where the server says the request can have one.
        features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(request.Body != Stream.Null));
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(response);
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = ct });
        // The caller is this server itself.
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature { RemoteIpAddress = IPAddress.Loopback, LocalIpAddress = IPAddress.Loopback });
        var context = contexts.Create(features);
        try
        {
            await pipeline(context);
            await response.CompleteAsync();
        }
        catch (Exception) when (!response.HasStarted)
        {
            // Unhandled even by the exception handler: answer as a server would, with a bare 500.
            response.Fail();
        }
        finally
        {
            await response.FinishAsync();
            contexts.Dispose(context);
        }
    }

    /// <summary>Remembers the application's pipeline as it is built, so requests can run through it later.</summary>
    internal sealed class Capture(InProcessPipeline pipeline) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(rest => pipeline._pipeline = rest);
            next(app);
        };
    }
}

internal sealed record BodyDetection(bool CanHaveBody) : IHttpRequestBodyDetectionFeature;

/// <summary>One request for <see cref="InProcessPipeline"/>: method, path with query, headers and body.</summary>
public sealed record InProcessRequest(string Method, string PathAndQuery, IHeaderDictionary Headers, Stream Body)
{
    internal HttpRequestFeature ToFeature()
    {
        var question = PathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Scheme = "http",
            Method = Method,
            PathBase = "",
            Path = Uri.UnescapeDataString(question < 0 ? PathAndQuery : PathAndQuery[..question]),
            QueryString = question < 0 ? "" : PathAndQuery[question..],
            RawTarget = PathAndQuery,
            Headers = Headers,
            Body = Body,
        };
    }
}
