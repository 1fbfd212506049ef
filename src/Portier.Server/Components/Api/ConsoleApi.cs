using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Components.Authorization;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components.Api;

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
/// The console's only way to read and change data: the HTTP API that integrations use, run through this
/// server's own request pipeline in process (<see cref="InProcessHandler"/>) with the signed-in admin's
/// session token. Validation, site scoping, permissions and the audit trail therefore behave exactly as
/// they do for the API. One typed method per operation, grouped per feature; the route text comes from
/// the same <c>*Routes</c> constants the endpoints are mapped with.
/// </summary>
public sealed class ConsoleApi(HttpClient http, AuthenticationStateProvider authentication)
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    public SitesClient Sites => new(this);
    public ZonesClient Zones => new(this);
    public DoorsClient Doors => new(this);
    public ScopesClient Scopes => new(this);
    public DevicesClient Devices => new(this);
    public PeopleClient People => new(this);
    public GrantsClient Grants => new(this);
    public CredentialsClient Credentials => new(this);
    public AccessEventsClient AccessEvents => new(this);
    public DecisionsClient Decisions => new(this);
    public AlarmsClient Alarms => new(this);
    public DoorStatesClient DoorStates => new(this);
    public AuditClient Audit => new(this);
    public ReportsClient Reports => new(this);
    public AdminsClient Admins => new(this);
    public WebhooksClient Webhooks => new(this);
    public ProvidersClient Providers => new(this);
    public EventSeriesClient EventSeries => new(this);
    public EventAccessClient EventAccess => new(this);
    public MemberAppClient MemberApp => new(this);
    public InvitesClient Invites => new(this);
    public EntryTypesClient EntryTypes => new(this);
    public PointsOfEntryClient PointsOfEntry => new(this);
    public ChannelsClient Channels => new(this);
    public AccessSettingsClient AccessSettings => new(this);
    public GateClient Gate => new(this);
    public LockdownsClient Lockdowns => new(this);
    public CalendarsClient Calendars => new(this);
    public QualificationsClient Qualifications => new(this);

    internal Task<ApiResult<T>> GetAsync<T>(string path, Query? query = null) => SendAsync<T>(HttpMethod.Get, path, query, null);

    internal Task<ApiResult<T>> PostAsync<T>(string path, object? body, Query? query = null) => SendAsync<T>(HttpMethod.Post, path, query, body);

    internal Task<ApiResult<T>> PutAsync<T>(string path, object? body) => SendAsync<T>(HttpMethod.Put, path, null, body);

    internal Task<ApiResult<JsonElement>> DeleteAsync(string path) => DeleteAsync<JsonElement>(path);

    internal Task<ApiResult<T>> DeleteAsync<T>(string path) => SendAsync<T>(HttpMethod.Delete, path, null, null);

    /// <summary>Sends a prepared body, such as a CSV upload.</summary>
    internal Task<ApiResult<T>> SendContentAsync<T>(HttpMethod method, string path, Query? query, HttpContent content) =>
        ExchangeAsync<T>(new HttpRequestMessage(method, path + query) { Content = content }, dispose: false);

    private Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, Query? query, object? body)
    {
        var message = new HttpRequestMessage(method, path + query);
        if (body is not null) message.Content = JsonContent.Create(body, body.GetType(), options: Json);
        return ExchangeAsync<T>(message, dispose: true);
    }

    private async Task<ApiResult<T>> ExchangeAsync<T>(HttpRequestMessage message, bool dispose)
    {
        try
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
        finally
        {
            // A caller's content (an upload) stays the caller's to dispose.
            if (dispose) message.Dispose();
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
}
