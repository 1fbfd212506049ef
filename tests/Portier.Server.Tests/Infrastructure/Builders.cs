using System.Net;

namespace Portier.Server.Tests.Infrastructure;

/// <summary>Creates the objects most tests need, through the API.</summary>
public static class Builders
{
    public static async Task<Guid> CreateSiteAsync(this HttpClient client, string name = "Makerspace", string timeZone = "Europe/Berlin") =>
        (await (await client.PostJsonAsync("/api/v1/sites", new { name, timeZone })).ExpectAsync(HttpStatusCode.Created)).Id();

    /// <summary>Creates an API token holding exactly the given permissions (and sites, if any).</summary>
    public static async Task<string> CreateTokenAsync(this HttpClient admin, string[] permissions, Guid[]? siteIds = null)
    {
        var body = await (await admin.PostJsonAsync("/api/v1/tokens", new { name = "test", permissions, siteIds = siteIds ?? [] }))
            .ExpectAsync(HttpStatusCode.Created);
        return body.GetProperty("token").GetString()!;
    }
}
