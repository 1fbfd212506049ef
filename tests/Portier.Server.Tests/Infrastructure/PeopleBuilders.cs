using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Tests.Infrastructure;

/// <summary>People, credentials and seeded rows for the people, grants and credentials tests.</summary>
public static class PeopleBuilders
{
    public static async Task<Guid> CreatePersonAsync(
        this HttpClient client, Guid siteId, string name = "Ada Lovelace", string? externalId = null,
        string? personType = null, string? membershipStatus = null, string[]? customTags = null) =>
        (await (await client.PostJsonAsync("/api/v1/people", new { siteId, name, externalId, personType, membershipStatus, customTags }))
            .ExpectAsync(HttpStatusCode.Created)).Id();

    public static IEnumerable<string?> Strings(this JsonElement array) => array.EnumerateArray().Select(e => e.GetString());

    public static IEnumerable<JsonElement> Items(this JsonElement page) => page.GetProperty("items").EnumerateArray();

    /// <summary>Writes entities straight to the database, for objects whose API lives elsewhere.</summary>
    public static async Task SeedAsync(this PortierServer server, params object[] entities)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        db.AddRange(entities);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    public static async Task<T> QueryAsync<T>(this PortierServer server, Func<PortierDbContext, Task<T>> query)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PortierDbContext>());
    }
}
