using System.Globalization;
using System.Net;
using System.Text.Json;
using Portier.Server.Tests.Infrastructure;
using Portier.Simulator;

namespace Portier.Cluster.Tests.Harness;

/// <summary>
/// A site set up through one node's API: rules admitting every Member at any time, doors (into one
/// zone when asked), a paired controller per door, members with cards.
/// </summary>
public sealed class Estate(HttpClient admin, Guid siteId)
{
    public HttpClient Admin => admin;
    public Guid SiteId => siteId;

    public static async Task<Estate> CreateAsync(ServerNode node, object? guessingLimits = null)
    {
        var admin = node.Client();
        var siteId = (await (await admin.PostJsonAsync("/api/v1/sites", new
        {
            name = "Estate " + Guid.NewGuid().ToString("N")[..6],
            timeZone = "Europe/Berlin",
            rules = new { personTypeRules = new[] { new { personType = "Member", statuses = Array.Empty<string>() } } },
            guessingLimits,
        })).ExpectAsync(HttpStatusCode.Created)).Id();
        return new Estate(admin, siteId);
    }

    public async Task<Guid> CreateZoneAsync(int? capacity) =>
        (await (await admin.PostJsonAsync("/api/v1/zones", new { siteId, name = "Hall " + Guid.NewGuid().ToString("N")[..4], capacity }))
            .ExpectAsync(HttpStatusCode.Created)).Id();

    public async Task<Guid> CreateDoorAsync(string name, Guid? zoneId = null) =>
        (await (await admin.PostJsonAsync("/api/v1/doors", new { siteId, name, zoneId })).ExpectAsync(HttpStatusCode.Created)).Id();

    /// <summary>A member with a card; returns the person and the card credential.</summary>
    public async Task<(Guid PersonId, Guid CredentialId)> CreateMemberWithCardAsync(string card)
    {
        var personId = (await (await admin.PostJsonAsync("/api/v1/people",
            new { siteId, name = "Member " + card, personType = "Member", membershipStatus = "Current" })).ExpectAsync(HttpStatusCode.Created)).Id();
        var credentialId = (await (await admin.PostJsonAsync("/api/v1/credentials", new { personId, kind = "card", value = card }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        return (personId, credentialId);
    }

    /// <summary>Many members with cards <c>C0DE000001</c>…, created a few at a time.</summary>
    public async Task<IReadOnlyList<string>> CreateMembersAsync(int count)
    {
        var cards = Enumerable.Range(1, count).Select(i => "C0DE" + i.ToString("X6", CultureInfo.InvariantCulture)).ToList();
        await Parallel.ForEachAsync(cards, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (card, _) => await CreateMemberWithCardAsync(card));
        return cards;
    }

    /// <summary>A controller for the door, paired through this node's API; its broker address is the one pairing hands out.</summary>
    public async Task<DeviceCredentials> PairControllerAsync(Guid doorId)
    {
        var deviceId = (await (await admin.PostJsonAsync("/api/v1/devices", new { doorId, name = "Controller " + doorId.ToString("N")[..6] }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var code = (await (await admin.PostJsonAsync($"/api/v1/devices/{deviceId}/pairing-code", new { })).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("code").GetString();
        var paired = await (await admin.PostJsonAsync("/api/v1/devices/pair", new { pairingCode = code, deviceId, hardwareId = "hw-" + deviceId.ToString("N")[..8] }))
            .ExpectAsync(HttpStatusCode.OK);
        var broker = paired.GetProperty("mqtt");
        return new DeviceCredentials(deviceId, paired.GetProperty("password").GetString()!, broker.GetProperty("host").GetString()!,
            broker.GetProperty("port").GetInt32());
    }

    public async Task<bool> IsOnlineAsync(Guid deviceId) =>
        (await admin.GetJsonAsync($"/api/v1/devices/{deviceId}")).GetProperty("online").GetBoolean();

    public async Task<JsonElement> GetAsync(string url) => await admin.GetJsonAsync(url);
}
