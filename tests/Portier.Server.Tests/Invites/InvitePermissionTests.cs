using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Invites;

/// <summary>Each route of the invites family denies a token that holds every other permission but the one it needs.</summary>
public sealed class InvitePermissionTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly PortierServer _server = fixture.Server;

    private static readonly string[] Family =
    [
        "invites:read", "invites:create", "invites:send", "invites:execute", "invites:create_own",
        "invites:channels:read", "invites:channels:create", "invites:channels:update", "invites:channels:delete",
        "invites:entry_types:read", "invites:entry_types:create", "invites:entry_types:update", "invites:entry_types:delete",
        "invites:points_of_entry:read", "invites:points_of_entry:create", "invites:points_of_entry:update", "invites:points_of_entry:delete",
        "invites:settings:read", "invites:settings:write", "invites:locations:link", "access:validate", "people:read", "people:write",
    ];

    [Fact]
    public async Task EveryRoute_DeniesWithoutItsPermission_AndAllowsWithIt()
    {
        var admin = _server.Admin();
        var setup = await admin.SetUpInvitesAsync();
        var reference = (await admin.InviteAsync(setup)).Reference();
        var channel = await (await admin.PostJsonAsync("/api/v1/channels", new { code = "perm_test", name = "P", handler = "portier" })).ExpectAsync(HttpStatusCode.Created);
        var person = (await (await admin.PostJsonAsync("/api/v1/people", new { siteId = setup.SiteId, name = "P", personType = "Member" })).ExpectAsync(HttpStatusCode.Created)).Id();
        var entryType = new { siteId = setup.SiteId, name = "T", methods = new[] { "pin" } };
        var poe = new { siteId = setup.SiteId, name = "Gate C" };
        var routes = new (string Permission, HttpMethod Method, string Url, object? Body)[]
        {
            ("invites:read", HttpMethod.Get, "/api/v1/invites", null),
            ("invites:read", HttpMethod.Get, $"/api/v1/invites/{reference}", null),
            ("invites:create", HttpMethod.Post, "/api/v1/invites", new { siteId = setup.SiteId, entryTypeId = setup.EntryTypeId, visitorName = "V" }),
            ("invites:send", HttpMethod.Post, $"/api/v1/invites/{reference}/issue", new { }),
            ("invites:execute", HttpMethod.Post, $"/api/v1/invites/{reference}/actions/accept", new { }),
            ("invites:channels:read", HttpMethod.Get, "/api/v1/channels", null),
            ("invites:channels:read", HttpMethod.Get, "/api/v1/channel-handlers", null),
            ("invites:channels:read", HttpMethod.Get, $"/api/v1/channels/{channel.Id()}", null),
            ("invites:channels:create", HttpMethod.Post, "/api/v1/channels", new { code = "perm_new", name = "N", handler = "portier" }),
            ("invites:channels:update", HttpMethod.Put, $"/api/v1/channels/{channel.Id()}", new { code = "perm_test", name = "P2", handler = "portier" }),
            ("invites:locations:link", HttpMethod.Put, $"/api/v1/channels/{channel.Id()}/sites", new { siteIds = new[] { setup.SiteId } }),
            ("invites:entry_types:read", HttpMethod.Get, "/api/v1/entry-types", null),
            ("invites:entry_types:read", HttpMethod.Get, $"/api/v1/entry-types/{setup.EntryTypeId}", null),
            ("invites:entry_types:create", HttpMethod.Post, "/api/v1/entry-types", entryType),
            ("invites:entry_types:update", HttpMethod.Put, $"/api/v1/entry-types/{setup.EntryTypeId}",
                new { siteId = setup.SiteId, name = "Contractor", methods = new[] { "pin", "otp", "qr" }, maxUses = 3, allowedPointOfEntryIds = new[] { setup.GateA } }),
            ("invites:points_of_entry:read", HttpMethod.Get, "/api/v1/points-of-entry", null),
            ("invites:points_of_entry:read", HttpMethod.Get, $"/api/v1/points-of-entry/{setup.GateB}", null),
            ("invites:points_of_entry:create", HttpMethod.Post, "/api/v1/points-of-entry", poe),
            ("invites:points_of_entry:update", HttpMethod.Put, $"/api/v1/points-of-entry/{setup.GateB}", new { siteId = setup.SiteId, name = "Gate B" }),
            ("invites:settings:read", HttpMethod.Get, "/api/v1/access-settings", null),
            ("invites:settings:read", HttpMethod.Get, $"/api/v1/access-settings/qr-keys?siteId={setup.SiteId}", null),
            ("invites:settings:write", HttpMethod.Put, "/api/v1/access-settings", new { moduleEnabled = true }),
            ("invites:settings:write", HttpMethod.Post, "/api/v1/access-settings/qr-keys/rotate", new { siteId = setup.SiteId }),
            ("access:validate", HttpMethod.Post, "/api/v1/access/validate", new { pointOfEntryId = setup.GateA, method = "pin", value = "1" }),
            ("access:validate", HttpMethod.Get, $"/api/v1/access/qr-keys?siteId={setup.SiteId}", null),
            ("people:read", HttpMethod.Get, $"/api/v1/people/{person}/member-permissions", null),
            ("people:write", HttpMethod.Put, $"/api/v1/people/{person}/member-permissions", new { permissions = Array.Empty<string>() }),
            ("invites:points_of_entry:delete", HttpMethod.Delete, $"/api/v1/points-of-entry/{setup.GateB}", null),
            ("invites:channels:delete", HttpMethod.Delete, $"/api/v1/channels/{channel.Id()}", null),
        };
        var entryTypeToDelete = (await (await admin.PostJsonAsync("/api/v1/entry-types", entryType)).ExpectAsync(HttpStatusCode.Created)).Id();
        routes = [.. routes, ("invites:entry_types:delete", HttpMethod.Delete, $"/api/v1/entry-types/{entryTypeToDelete}", null)];

        foreach (var (permission, method, url, body) in routes)
        {
            var without = _server.WithToken(await admin.CreateTokenAsync(Family.Where(p => p != permission).ToArray()));
            var denied = await without.SendAsync(Request(method, url, body), TestContext.Current.CancellationToken);
            await denied.ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

            var with = _server.WithToken(await admin.CreateTokenAsync([permission]));
            var allowed = await with.SendAsync(Request(method, url, body), TestContext.Current.CancellationToken);
            Assert.True((int)allowed.StatusCode < 400, $"{method} {url} with {permission}: {(int)allowed.StatusCode} {await allowed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }
        await (await _server.Anonymous().GetAsync("/api/v1/invites", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, object? body) =>
        new(method, url) { Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body) };
}
