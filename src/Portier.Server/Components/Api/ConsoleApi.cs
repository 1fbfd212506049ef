using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components;

/// <summary>An API error as the console shows it: the problem's code and detail, and field errors when the body was invalid.</summary>
public sealed record ApiProblem(int Status, string Code, string Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public string Summary => Errors.Count == 0 ? Detail : string.Join(" ", Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));

    public static ApiProblem FromValidation(IDictionary<string, string[]> errors) =>
        new(400, "validation_failed", "One or more fields are invalid.", new Dictionary<string, string[]>(errors, StringComparer.Ordinal));
}

public sealed record ApiResult<T>(T? Value, ApiProblem? Problem)
{
    public bool Ok => Problem is null;
}

/// <summary>
/// The console's only way to read and change data: the same HTTP API that integrations use, called
/// on this server's own address with the signed-in admin's session token. Validation, site scoping,
/// permissions and the audit trail therefore behave exactly as they do for the API.
/// </summary>
public sealed class ConsoleApi(HttpClient http, AuthenticationStateProvider authentication)
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    public Task<ApiResult<T>> GetAsync<T>(string url) => SendAsync<T>(HttpMethod.Get, url, null);

    public Task<ApiResult<T>> PostAsync<T>(string url, object? body) => SendAsync<T>(HttpMethod.Post, url, body);

    public Task<ApiResult<T>> PutAsync<T>(string url, object? body) => SendAsync<T>(HttpMethod.Put, url, body);

    public Task<ApiResult<JsonElement>> DeleteAsync(string url) => SendAsync<JsonElement>(HttpMethod.Delete, url, null);

    /// <summary>Sends a prepared body, such as a CSV upload.</summary>
    public Task<ApiResult<T>> SendContentAsync<T>(HttpMethod method, string url, HttpContent content) =>
        ExchangeAsync<T>(new HttpRequestMessage(method, url) { Content = content });

    private Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string url, object? body)
    {
        var message = new HttpRequestMessage(method, url);
        if (body is not null) message.Content = JsonContent.Create(body, body.GetType(), options: Json);
        return ExchangeAsync<T>(message);
    }

    private async Task<ApiResult<T>> ExchangeAsync<T>(HttpRequestMessage message)
    {
        using (message)
        {
            var state = await authentication.GetAuthenticationStateAsync();
            if (state.User.FindFirstValue(PortierClaims.SessionToken) is { } token)
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(message);
            if (response.IsSuccessStatusCode)
            {
                if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0) return new(default, null);
                return new(await response.Content.ReadFromJsonAsync<T>(Json), null);
            }
            return new(default, await ReadProblemAsync(response));
        }
    }

    private static async Task<ApiProblem> ReadProblemAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(Json);
            return new ApiProblem(status, problem?.Code ?? Problems.DefaultCode(status), problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? "Error",
                problem?.Errors ?? new Dictionary<string, string[]>());
        }
        catch (JsonException)
        {
            return new ApiProblem(status, Problems.DefaultCode(status), response.ReasonPhrase ?? "Error", new Dictionary<string, string[]>());
        }
    }

    private sealed record ProblemBody(string? Title, string? Detail, string? Code, Dictionary<string, string[]>? Errors);

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpExtensions.ConfigureJson(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        return options;
    }

    /// <summary>This server's own loopback address, from the addresses Kestrel listens on.</summary>
    public static Uri OwnAddress(IServiceProvider services)
    {
        var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The console needs the server to listen on an address.");
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::") uri.Host = "localhost";
        return uri.Uri;
    }
}
