extern alias simulator;

using System.Globalization;
using System.Net;
using System.Text.Json;
using Portier.Server.Tests.Infrastructure;
using simulator::Portier.Simulator;

namespace Portier.Server.Tests.Devices;

/// <summary>
/// The simulator's own commands against a server that stops and starts again, over the embedded broker
/// (which stops with the server) and over Mosquitto (which stays up while no server answers): the
/// controller keeps deciding from its bundle, and what it decided comes home once each, flagged, in order.
/// </summary>
public sealed class OfflineRoundTripTests : IAsyncLifetime
{
    private const string Valid = "0A0A0A0A";
    private const string RevokedOnline = "0B0B0B0B";
    private const string RevokedOffline = "0C0C0C0C";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    private readonly string _folder = Directory.CreateTempSubdirectory("portier-roundtrip-").FullName;
    private string DevicesFile => Path.Combine(_folder, "devices.json");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }

    public enum Broker { Embedded, Mosquitto }

    [Theory]
    [InlineData(Broker.Embedded)]
    [InlineData(Broker.Mosquitto)]
    public async Task ServerStopped_ControllerDecidesFromItsBundle_AndTheAttemptsComeHomeOnceEach(Broker broker)
    {
        var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var embeddedPort = PortierServer.FreePort();
        Guid site, device, revokedLater;

        // Online: paired, the site's keys and first bundle saved; one card revoked while the controller listens.
        await using (var server = Start(database, broker, embeddedPort))
        {
            var admin = server.Admin();
            site = await admin.CreateSiteAsync();
            var door = await admin.CreateDoorAsync(site);
            var person = await admin.CreatePersonAsync(site);
            await (await admin.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true })).ExpectAsync(HttpStatusCode.Created);
            var cards = new Dictionary<string, Guid>();
            foreach (var card in new[] { Valid, RevokedOnline, RevokedOffline })
                cards[card] = (await (await admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = card })).ExpectAsync(HttpStatusCode.Created)).Id();
            revokedLater = cards[RevokedOffline];
            device = await server.CreateDeviceForDoorAsync(door);
            var paired = await (await server.PairAsync(device, await server.IssuePairingCodeAsync(device))).ExpectAsync(HttpStatusCode.OK);
            await SaveCredentialsAsync(device, paired, broker, embeddedPort);

            Assert.Equal(0, await Commands.SyncAsync(DevicesFile, device, Ct));
            var before = Controller(device).BundleVersion;
            await (await admin.PostAsync($"/api/v1/credentials/{cards[RevokedOnline]}/revoke", null, Ct)).ExpectAsync(HttpStatusCode.OK);
            await DeviceKit.EventuallyAsync(async () =>
            {
                Assert.Equal(0, await Commands.SyncAsync(DevicesFile, device, Ct));
                return Controller(device).BundleVersion > before;
            }, "the controller holds the bundle with the revocation");
        }

        // No server: a valid card opens, the card revoked while online does not.
        Assert.Equal(0, await Commands.ScanAsync(DevicesFile, device, Valid, null, SimulatedDevice.DefaultReader, dropAcks: false, Budget, Ct));
        Assert.Equal(0, await Commands.ScanAsync(DevicesFile, device, RevokedOnline, null, SimulatedDevice.DefaultReader, dropAcks: false, Budget, Ct));
        Assert.Equal(2, Controller(device).Buffered);

        // The server back: both attempts arrive once each, flagged, in the order decided; a second sync adds nothing.
        await using (var server = Start(database, broker, embeddedPort))
        {
            var admin = server.Admin();
            Assert.Equal(0, await Commands.SyncAsync(DevicesFile, device, Ct));
            Assert.Equal(0, await Commands.SyncAsync(DevicesFile, device, Ct));
            var offline = await OfflineAttemptsAsync(admin, site);
            Assert.Equal([("granted", true), ("credential_revoked", false)], offline.Select(e => (e.Reason, e.Allowed)));
            Assert.True(offline[0].At <= offline[1].At);

            // Revoked while the controller is away: it learns at its next sync.
            await (await admin.PostAsync($"/api/v1/credentials/{revokedLater}/revoke", null, Ct)).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(0, await Commands.SyncAsync(DevicesFile, device, Ct));
        }

        // Its first decision alone after that reconnect refuses the card.
        Assert.Equal(0, await Commands.ScanAsync(DevicesFile, device, RevokedOffline, null, SimulatedDevice.DefaultReader, dropAcks: false, Budget, Ct));
        await using (var server = Start(database, broker, embeddedPort, ownsDatabase: true))
        {
            var admin = server.Admin();
            Assert.Equal(0, await Commands.SyncAsync(DevicesFile, device, Ct));
            var offline = await OfflineAttemptsAsync(admin, site);
            Assert.Equal(3, offline.Count);
            Assert.Equal(("credential_revoked", false), (offline[2].Reason, offline[2].Allowed));
        }
    }

    /// <summary>A server on the database; its host (and broker connection) starts with the first client it hands out.</summary>
    private static PortierServer Start(TestDatabase database, Broker broker, int embeddedPort, bool ownsDatabase = false) =>
        new(database, PortierServer.WithSettings(broker == Broker.Mosquitto
            ? MosquittoDevicesFixture.ExternalSettings()
            : new Dictionary<string, string?> { ["Mqtt:Port"] = embeddedPort.ToString(CultureInfo.InvariantCulture) }), ownsDatabase: ownsDatabase);

    /// <summary>What `pair` saves: the controller's login and broker, and the site's offline keys.</summary>
    private async Task SaveCredentialsAsync(Guid device, JsonElement paired, Broker broker, int embeddedPort)
    {
        var (host, port) = broker == Broker.Mosquitto ? MosquittoDevicesFixture.Broker : ("127.0.0.1", embeddedPort);
        await DeviceFile.SaveAsync(DevicesFile, new DeviceCredentials(device, paired.GetProperty("password").GetString()!, host, port), Ct);
        var offline = paired.GetProperty("offline");
        ControllerFiles.For(DevicesFile, device).SaveKeys(new ControllerKeys(
            offline.GetProperty("bundlePublicKey").GetString()!, offline.GetProperty("credentialKey").GetString()!, offline.GetProperty("siteId").GetGuid()));
    }

    private OfflineController Controller(Guid device) => new(device, ControllerFiles.For(DevicesFile, device), TimeProvider.System);

    private sealed record Attempt(string Reason, bool Allowed, DateTimeOffset At);

    /// <summary>The site's attempts flagged offline, oldest first.</summary>
    private static async Task<List<Attempt>> OfflineAttemptsAsync(HttpClient admin, Guid site) =>
        [.. (await admin.GetJsonAsync($"/api/v1/access-events?siteId={site}&offline=true")).GetProperty("items").EnumerateArray()
            .Select(e => new Attempt(e.GetProperty("reason").GetString()!, e.GetProperty("allowed").GetBoolean(), e.GetProperty("at").GetDateTimeOffset()))
            .Reverse()];
}
