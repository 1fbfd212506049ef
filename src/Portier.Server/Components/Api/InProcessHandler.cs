using System.Net;

namespace Portier.Server.Components.Api;

/// <summary>
/// An <see cref="HttpClient"/> transport that runs each request through this server's own pipeline in
/// process (<see cref="InProcessPipeline"/>) and buffers the answer, as the test host does.
/// </summary>
public sealed class InProcessHandler(InProcessPipeline pipeline) : HttpMessageHandler
{
    /// <summary>A base address for clients over this handler; no request leaves the process, so the host only names the server.</summary>
    public static readonly Uri BaseAddress = new("http://portier.internal/");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        foreach (var (name, values) in request.Headers) headers.Append(name, values.ToArray());
        var body = Stream.Null;
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers) headers.Append(name, values.ToArray());
            body = await content.ReadAsStreamAsync(cancellationToken);
        }
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no address.");
        headers.Host = uri.IsAbsoluteUri ? uri.Authority : BaseAddress.Authority;
        var target = uri.IsAbsoluteUri ? uri.PathAndQuery : uri.OriginalString;

        var buffer = new MemoryStream();
        using var response = new InProcessResponse(buffer);
        await pipeline.SendAsync(new InProcessRequest(request.Method.Method, target, headers, body), response, cancellationToken);

        buffer.Position = 0;
        var message = new HttpResponseMessage((HttpStatusCode)response.StatusCode) { RequestMessage = request, Content = new StreamContent(buffer) };
        if (response.ReasonPhrase is { } reason) message.ReasonPhrase = reason;
        foreach (var (name, values) in response.Headers)
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        return message;
    }
}
