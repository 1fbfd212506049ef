using System.Security.Claims;
using Microsoft.Net.Http.Headers;
using Portier.Server.Components.Api;
using Portier.Server.Features.Auth;

namespace Portier.Server.Components;

/// <summary>
/// File downloads for the console. The browser holds only the console cookie, which never authorizes
/// the API, so a download link points here and this runs the API request in process with the admin's
/// own session token, streaming the answer back unchanged.
/// </summary>
public static class ConsoleDownloads
{
    public const string AccessLogCsv = "/console/access-log/export.csv";

    public static WebApplication MapConsoleDownloads(this WebApplication app)
    {
        app.MapGet(AccessLogCsv, (HttpContext http, InProcessPipeline pipeline) => ForwardAsync(http, pipeline, AccessEventsClient.ExportPath))
            .RequireAuthorization(Permissions.AccessLogExport).ExcludeFromDescription();
        return app;
    }

    private static async Task ForwardAsync(HttpContext http, InProcessPipeline pipeline, string apiPath)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        headers.Host = http.Request.Host.Value ?? InProcessHandler.BaseAddress.Authority;
        if (http.User.FindFirstValue(PortierClaims.SessionToken) is { } token) headers.Authorization = $"Bearer {token}";
        using var response = new InProcessResponse(http.Response.Body, answer =>
        {
            http.Response.StatusCode = answer.StatusCode;
            foreach (var name in new[] { HeaderNames.ContentType, HeaderNames.ContentDisposition })
                if (answer.Headers.TryGetValue(name, out var value)) http.Response.Headers[name] = value;
            return Task.CompletedTask;
        });
        await pipeline.SendAsync(new InProcessRequest(HttpMethods.Get, apiPath + http.Request.QueryString, headers, Stream.Null), response, http.RequestAborted);
    }
}
