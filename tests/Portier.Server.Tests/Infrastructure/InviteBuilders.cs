using System.Net;
using System.Text.Json;

namespace Portier.Server.Tests.Infrastructure;

/// <summary>A site with two points of entry (A and B) and an entry type allowing A only.</summary>
public sealed record InviteSetup(Guid SiteId, Guid GateA, Guid GateB, Guid EntryTypeId);

public static class InviteBuilders
{
    public static async Task<InviteSetup> SetUpInvitesAsync(this HttpClient admin, int? maxUses = 3, string[]? methods = null,
        bool requiresApproval = false, string site = "Visitor site")
    {
        var siteId = await admin.CreateSiteAsync(site);
        var gateA = await admin.CreatePointOfEntryAsync(siteId, "Gate A");
        var gateB = await admin.CreatePointOfEntryAsync(siteId, "Gate B");
        var entryType = (await (await admin.PostJsonAsync("/api/v1/entry-types", new
        {
            siteId, name = "Contractor", methods = methods ?? ["pin", "otp", "qr"], validityMinutes = 240, maxUses,
            allowedPointOfEntryIds = new[] { gateA }, requiresApproval,
        })).ExpectAsync(HttpStatusCode.Created)).Id();
        return new InviteSetup(siteId, gateA, gateB, entryType);
    }

    public static async Task<Guid> CreatePointOfEntryAsync(this HttpClient admin, Guid siteId, string name, bool active = true) =>
        (await (await admin.PostJsonAsync("/api/v1/points-of-entry", new { siteId, name, description = "North side", active }))
            .ExpectAsync(HttpStatusCode.Created)).Id();

    /// <summary>Creates an invite (issued unless told otherwise) and answers the whole result: invite and issued secrets.</summary>
    public static async Task<JsonElement> InviteAsync(this HttpClient admin, InviteSetup setup, bool issue = true, string name = "Vera Visitor",
        string? email = "vera@example.org", DateTimeOffset? validFrom = null, DateTimeOffset? validUntil = null, Guid? channelId = null) =>
        await (await admin.PostJsonAsync("/api/v1/invites", new
        {
            siteId = setup.SiteId, entryTypeId = setup.EntryTypeId, visitorName = name, visitorEmail = email, visitorPhone = "+49 30 1234",
            validFrom, validUntil, issueCredential = issue, channelId, purpose = "Boiler service",
        })).ExpectAsync(HttpStatusCode.Created);

    public static string Reference(this JsonElement result) => result.GetProperty("invite").GetProperty("reference").GetString()!;

    public static string Status(this JsonElement result) => result.GetProperty("invite").GetProperty("status").GetString()!;

    public static string Issued(this JsonElement result, string secret) => result.GetProperty("issued").GetProperty(secret).GetString()!;

    public static Task<HttpResponseMessage> ValidateAsync(this HttpClient gate, Guid pointOfEntryId, string method, string value) =>
        gate.PostJsonAsync("/api/v1/access/validate", new { pointOfEntryId, method, value });

    /// <summary>Presents a credential and answers the gate's reason code (granted when allowed).</summary>
    public static async Task<string> ReasonAsync(this HttpClient gate, Guid pointOfEntryId, string method, string value)
    {
        var body = await (await gate.ValidateAsync(pointOfEntryId, method, value)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(body.GetProperty("allowed").GetBoolean(), body.GetProperty("reason").GetString() == "granted");
        return body.GetProperty("reason").GetString()!;
    }

    public static async Task<HttpClient> GateAsync(this PortierServer server, HttpClient admin) =>
        server.WithToken(await admin.CreateTokenAsync(["access:validate"]));

    public static Task<HttpResponseMessage> ActAsync(this HttpClient client, string reference, string action) =>
        client.PostJsonAsync($"/api/v1/invites/{reference}/actions/{action}", new { });
}
