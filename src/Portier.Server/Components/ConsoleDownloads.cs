using System.Net.Http.Headers;
using System.Security.Claims;
using Portier.Server.Features.Auth;

namespace Portier.Server.Components;

/// <summary>
/// File downloads for the console. The browser holds only the console cookie, which never authorizes
/// the API, so a download link points here and this forwards the request to the API with the
/// admin's own session token, streaming the answer back unchanged.
/// </summary>
public static class ConsoleDownloads
{
    public const string ClientName = "console-downloads";
    public const string AccessLogCsv = "/console/access-log/export.csv";

    public static IServiceCollection AddConsoleDownloads(this IServiceCollection services)
    {
        services.AddHttpClient(ClientName, (provider, client) => client.BaseAddress = ConsoleApi.OwnAddress(provider));
        return services;
    }

    public static WebApplication MapConsoleDownloads(this WebApplication app)
    {
        app.MapGet(AccessLogCsv, (HttpContext http, IHttpClientFactory clients) => ForwardAsync(http, clients, "/api/v1/access-events/export.csv"))
            .RequireAuthorization(Permissions.AccessLogExport).ExcludeFromDescription();
        return app;
    }

    private static async Task ForwardAsync(HttpContext http, IHttpClientFactory clients, string apiPath)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, apiPath + http.Request.QueryString);
        if (http.User.FindFirstValue(PortierClaims.SessionToken) is { } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        http.Response.StatusCode = (int)response.StatusCode;
        http.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        if (response.Content.Headers.ContentDisposition is { } disposition) http.Response.Headers.ContentDisposition = disposition.ToString();
        await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
    }
}
