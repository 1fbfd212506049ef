using System.Net;

namespace Portier.Server.Tests.Infrastructure;

/// <summary>Creates the objects most tests need, through the API.</summary>
public static class Builders
{
    public static async Task<Guid> CreateSiteAsync(this HttpClient client, string name = "Makerspace", string timeZone = "Europe/Berlin") =>
        (await (await client.PostJsonAsync("/api/v1/sites", new { name, timeZone })).ExpectAsync(HttpStatusCode.Created)).Id();

    public static async Task<Guid> CreateZoneAsync(this HttpClient client, Guid siteId, string name = "Main hall", int? capacity = null) =>
        (await (await client.PostJsonAsync("/api/v1/zones", new { siteId, name, capacity })).ExpectAsync(HttpStatusCode.Created)).Id();

    public static async Task<Guid> CreateDoorAsync(this HttpClient client, Guid siteId, string name = "Front door", Guid? zoneId = null) =>
        (await (await client.PostJsonAsync("/api/v1/doors", new { siteId, name, zoneId })).ExpectAsync(HttpStatusCode.Created)).Id();

    public static async Task<Guid> CreateScopeAsync(this HttpClient client, Guid siteId, string name, params Guid[] doorIds) =>
        (await (await client.PostJsonAsync("/api/v1/scopes", new { siteId, name, doorIds })).ExpectAsync(HttpStatusCode.Created)).Id();

    /// <summary>Puts a siteId first into a raw JSON object, for bad-input cases written as text.</summary>
    public static string WithSiteId(this string json, Guid siteId) => $$"""{"siteId":"{{siteId}}",""" + json[1..];

    /// <summary>Creates an API token holding exactly the given permissions (and sites, if any).</summary>
    public static async Task<string> CreateTokenAsync(this HttpClient admin, string[] permissions, Guid[]? siteIds = null)
    {
        var body = await (await admin.PostJsonAsync("/api/v1/tokens", new { name = "test", permissions, siteIds = siteIds ?? [] }))
            .ExpectAsync(HttpStatusCode.Created);
        return body.GetProperty("token").GetString()!;
    }
}
