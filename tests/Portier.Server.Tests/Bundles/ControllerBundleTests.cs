using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Core.Bundles;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.Bundles;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Bundles;

public abstract class ControllerBundleTests(PortierServer server)
{
    private const string CardAsRead = "04:a2:3f:9b";
    private const string CardAsStored = "04A23F9B";
    private const string Pin = "192837";

    private readonly HttpClient _admin = server.Admin();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A site with one door, one person granted the whole site with a card and a PIN, and a paired controller for the door.</summary>
    private sealed record Arranged(Guid Site, Guid Door, Guid Device, string Password, byte[] PublicKey, byte[] CredentialKey, Guid Person, Guid Card);

    private async Task<Arranged> ArrangeAsync()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var person = await _admin.CreatePersonAsync(site);
        await (await _admin.PostJsonAsync("/api/v1/grants", new { personId = person, siteWide = true })).ExpectAsync(HttpStatusCode.Created);
        var card = (await (await _admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = CardAsRead }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        await (await _admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "pin", pin = Pin })).ExpectAsync(HttpStatusCode.Created);
        var device = await server.CreateDeviceForDoorAsync(door);
        var paired = await (await server.PairAsync(device, await server.IssuePairingCodeAsync(device))).ExpectAsync(HttpStatusCode.OK);
        var offline = paired.GetProperty("offline");
        // The first version is built before the controller connects, so the rebuild that pairing wakes finds
        // nothing new and the controller's own sync is what brings it the bundle.
        await DeviceKit.EventuallyAsync(async () => (await _admin.GetAsync($"/api/v1/devices/{device}/bundle", Ct)).IsSuccessStatusCode,
            "the first bundle is built");
        return new Arranged(site, door, device, paired.GetProperty("password").GetString()!,
            Convert.FromBase64String(offline.GetProperty("bundlePublicKey").GetString()!),
            Convert.FromBase64String(offline.GetProperty("credentialKey").GetString()!), person, card);
    }

    /// <summary>Connects, comes online with a heartbeat, syncs holding no bundle and applies the full bundle it receives.</summary>
    private async Task<(OfflineController Controller, ControllerPolicy Policy)> ConnectAndSyncAsync(Arranged a)
    {
        var controller = await OfflineController.ConnectAsync(server.MqttPort, a.Device, a.Password);
        await controller.HeartbeatAsync();
        await DeviceKit.EventuallyAsync(async () => (await server.GetDeviceAsync(a.Device)).GetProperty("online").GetBoolean(), "the controller comes online");
        await controller.SyncAsync(bundleVersion: null);
        Assert.Equal(server.Clock.GetUtcNow(), (await controller.NextTimeAsync()).Now);
        var full = await controller.NextVerifiedBundleAsync(a.PublicKey);
        Assert.False(full.IsDelta);
        Assert.True(ControllerPolicy.TryApply(null, full, a.Site, a.Device, out var policy, out var error), error);
        return (controller, policy);
    }

    private Decision DecideCard(ControllerPolicy policy, Arranged a)
    {
        var now = Instant.FromDateTimeOffset(server.Clock.GetUtcNow());
        return EdgeDecisions.Decide(policy, policy.Doors[a.Door], a.CredentialKey, CredentialKind.Card, CardAsRead, now, now, default);
    }

    [Fact]
    public async Task Pair_ProtocolVersion2Controller_ReturnsTheSitesBundleKeys()
    {
        var a = await ArrangeAsync();
        var keys = server.Services.GetRequiredService<BundleKeys>();

        Assert.Equal(keys.PublicKey(a.Site), a.PublicKey);
        Assert.Equal(BundleSigning.PublicKeyOf(keys.SigningSeed(a.Site)), a.PublicKey);
        Assert.Equal(keys.CredentialKey(a.Site), a.CredentialKey);
        Assert.Equal(32, a.CredentialKey.Length);
        var other = await _admin.CreateSiteAsync("Other");
        Assert.NotEqual(keys.PublicKey(other), a.PublicKey);
        Assert.NotEqual(keys.CredentialKey(other), a.CredentialKey);
        var device = await server.CreateDeviceForDoorAsync(await _admin.CreateDoorAsync(a.Site, "Back door"));
        var body = await (await server.PairAsync(device, await server.IssuePairingCodeAsync(device))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(DeviceProtocol.OfflineVersion, body.GetProperty("protocolVersion").GetInt32());
        Assert.Equal(a.Site, body.GetProperty("offline").GetProperty("siteId").GetGuid());
        Assert.Equal(Convert.ToBase64String(a.PublicKey), body.GetProperty("offline").GetProperty("bundlePublicKey").GetString());
    }

    [Fact]
    public async Task Sync_WithoutBundle_SendsTheTimeAndAFullSignedBundleThatGrantsTheCard()
    {
        var a = await ArrangeAsync();

        var (controller, policy) = await ConnectAndSyncAsync(a);
        await using var _ = controller;

        Assert.Equal(a.Site, policy.Site.Id);
        Assert.Equal(24 * 60, policy.Site.OfflineHorizonMinutes);
        var door = Assert.Single(policy.Body.Doors!);
        Assert.Equal(("secure", "count_locally"), (door.FailMode, door.OfflineLiveFacts));
        Assert.Empty(door.Readers);
        Assert.Equal(a.Card, Assert.Single(policy.Body.Credentials!).Id);
        var decision = DecideCard(policy, a);
        Assert.True(decision.Allowed, decision.Reason.ToCode());
        var state = await _admin.GetJsonAsync($"/api/v1/devices/{a.Device}/bundle");
        Assert.Equal(policy.Version, state.GetProperty("version").GetInt64());

        // Holding the server's version, a sync brings the time and no bundle.
        await controller.SyncAsync(policy.Version);
        await controller.NextTimeAsync();
        Assert.False(controller.HasPendingBundle);
    }

    [Fact]
    public async Task FullBundle_NeverCarriesTheCardNumberOrAnyPin()
    {
        var a = await ArrangeAsync();
        var controller = await OfflineController.ConnectAsync(server.MqttPort, a.Device, a.Password);
        await using var _ = controller;

        await controller.SyncAsync(bundleVersion: null);
        var payload = await controller.NextBundleAsync();

        using var gzip = new GZipStream(new MemoryStream(payload[BundleSigning.SignatureBytes..]), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var json = await reader.ReadToEndAsync(Ct);
        Assert.Contains(CredentialHashing.Hash(a.CredentialKey, CredentialKind.Card, CardAsStored), json, StringComparison.Ordinal);
        Assert.DoesNotContain(CardAsStored, json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("04:a2", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Pin, json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"pin\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeCard_ConnectedController_GetsADeltaWithinASecondThatDeniesTheCard()
    {
        var a = await ArrangeAsync();
        var (controller, policy) = await ConnectAndSyncAsync(a);
        await using var _ = controller;
        await controller.AckAsync(policy.Version);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await (await _admin.PostAsync($"/api/v1/credentials/{a.Card}/revoke", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        // A rebuild that found the controller online just before its sync sends the full bundle a second
        // time; the controller refuses that copy as not newer, and so does this test.
        BundleBody delta;
        do delta = await controller.NextVerifiedBundleAsync(a.PublicKey);
        while (delta.Version <= policy.Version);
        var elapsed = watch.Elapsed;

        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"The delta took {elapsed.TotalMilliseconds:F0} ms.");
        Assert.True(delta.IsDelta);
        Assert.Equal(policy.Version, delta.BaseVersion);
        Assert.Equal(policy.Version + 1, delta.Version);
        Assert.Null(delta.People);
        Assert.True(Assert.Single(delta.Credentials!).Revoked);
        Assert.True(ControllerPolicy.TryApply(policy, delta, a.Site, a.Device, out var revoked, out var error), error);
        var decision = DecideCard(revoked, a);
        Assert.False(decision.Allowed);
        Assert.Equal(ReasonCode.CredentialRevoked, decision.Reason);

        // Until the controller acknowledges the new version, the revocation is listed as pending.
        var behind = Assert.Single((await _admin.GetJsonAsync($"/api/v1/sites/{a.Site}/bundles?behind=true")).EnumerateArray());
        Assert.Equal(policy.Version, behind.GetProperty("acknowledgedVersion").GetInt64());
        var pending = Assert.Single(behind.GetProperty("pendingRevocations").EnumerateArray());
        Assert.Equal("credential_revoked", pending.GetProperty("kind").GetString());
        Assert.Equal(a.Card, pending.GetProperty("subjectId").GetGuid());
        Assert.Equal(a.Person, pending.GetProperty("personId").GetGuid());

        await controller.AckAsync(delta.Version);
        await DeviceKit.EventuallyAsync(async () =>
            (await _admin.GetJsonAsync($"/api/v1/devices/{a.Device}/bundle")).GetProperty("acknowledgedVersion").GetInt64() == delta.Version,
            "the acknowledgement is recorded");
        var state = await _admin.GetJsonAsync($"/api/v1/devices/{a.Device}/bundle");
        Assert.False(state.GetProperty("behind").GetBoolean());
        Assert.Empty(state.GetProperty("pendingRevocations").EnumerateArray());
        Assert.Empty((await _admin.GetJsonAsync($"/api/v1/sites/{a.Site}/bundles?behind=true")).EnumerateArray());
    }

    [Fact]
    public async Task RegisterReaders_ConnectedController_GetsItsDoorsAndReadersAndDecidesAtTheExitReader()
    {
        var a = await ArrangeAsync();
        var (controller, policy) = await ConnectAndSyncAsync(a);
        await using var _ = controller;
        await controller.AckAsync(policy.Version);
        var zone = await _admin.CreateZoneAsync(a.Site, "Full hall", capacity: 0);
        var back = (await (await _admin.PostJsonAsync("/api/v1/doors", new { siteId = a.Site, name = "Back door", zoneId = zone })).ExpectAsync(HttpStatusCode.Created)).Id();

        await (await _admin.PostJsonAsync($"/api/v1/devices/{a.Device}/readers", new { readerId = "back-in", doorId = back, kind = "card", direction = "entry" })).ExpectAsync(HttpStatusCode.Created);
        await (await _admin.PostJsonAsync($"/api/v1/devices/{a.Device}/readers", new { readerId = "back-out", doorId = back, kind = "card", direction = "exit" })).ExpectAsync(HttpStatusCode.Created);

        ControllerPolicy? held = policy;
        await DeviceKit.EventuallyAsync(async () =>
        {
            var next = await controller.NextVerifiedBundleAsync(a.PublicKey);
            if (next.Version <= held!.Version) return false;
            Assert.True(ControllerPolicy.TryApply(held, next, a.Site, a.Device, out held, out var error), error);
            await controller.AckAsync(held!.Version);
            return held.Doors.TryGetValue(back, out var door) && door.Readers.Count == 2;
        }, "the bundle carries the back door with both readers");
        var now = Instant.FromDateTimeOffset(server.Clock.GetUtcNow());
        var (backDoor, entry) = held!.FindReader("back-in")!.Value;
        var exit = held.FindReader("back-out")!.Value.Reader;

        Assert.Equal(ReasonCode.CapacityExceeded,
            EdgeDecisions.Decide(held, backDoor, a.CredentialKey, CredentialKind.Card, CardAsRead, now, now, default, entry).Reason);
        Assert.True(EdgeDecisions.Decide(held, backDoor, a.CredentialKey, CredentialKind.Card, CardAsRead, now, now, default, exit).Allowed);
        Assert.Equal(a.Door, held.Body.Doors![0].Id);
    }

    [Fact]
    public async Task BundleAck_Refused_RecordsTheError()
    {
        var a = await ArrangeAsync();
        var (controller, policy) = await ConnectAndSyncAsync(a);
        await using var _ = controller;

        await controller.AckAsync(0, ok: false, error: "signature does not verify with the site's key");

        await DeviceKit.EventuallyAsync(async () =>
            (await _admin.GetJsonAsync($"/api/v1/devices/{a.Device}/bundle")).GetProperty("lastRefusal").ValueKind == System.Text.Json.JsonValueKind.String,
            "the refusal is recorded");
        var state = await _admin.GetJsonAsync($"/api/v1/devices/{a.Device}/bundle");
        Assert.Equal("signature does not verify with the site's key", state.GetProperty("lastRefusal").GetString());
        Assert.Equal(server.Clock.GetUtcNow(), state.GetProperty("lastRefusalAt").GetDateTimeOffset());
        Assert.Equal(policy.Version, state.GetProperty("version").GetInt64());
        Assert.True(state.GetProperty("behind").GetBoolean());
    }

    [Fact]
    public async Task Settings_FailModeAndHorizon_AreSavedAuditedAndCarriedInTheBundle()
    {
        var a = await ArrangeAsync();
        await (await _admin.PutJsonAsync($"/api/v1/doors/{a.Door}", new { siteId = a.Site, name = "Front door", failMode = "safe", offlineLiveFacts = "refuse" }))
            .ExpectAsync(HttpStatusCode.OK);
        await (await _admin.PutJsonAsync($"/api/v1/sites/{a.Site}", new { name = "Makerspace", timeZone = "Europe/Berlin", offlineHorizonMinutes = 90 }))
            .ExpectAsync(HttpStatusCode.OK);

        var door = await _admin.GetJsonAsync($"/api/v1/doors/{a.Door}");
        Assert.Equal(("safe", "refuse"), (door.GetProperty("failMode").GetString(), door.GetProperty("offlineLiveFacts").GetString()));
        Assert.Equal(90, (await _admin.GetJsonAsync($"/api/v1/sites/{a.Site}")).GetProperty("offlineHorizonMinutes").GetInt32());
        Assert.Contains("FailMode", (await _admin.GetJsonAsync($"/api/v1/audit?entityId={a.Door}")).ToString(), StringComparison.Ordinal);
        Assert.Contains("OfflineHorizonMinutes", (await _admin.GetJsonAsync($"/api/v1/audit?entityId={a.Site}")).ToString(), StringComparison.Ordinal);
        var (controller, policy) = await ConnectAndSyncAsync(a);
        await using var _ = controller;
        Assert.Equal(90, policy.Site.OfflineHorizonMinutes);
        Assert.Equal(("safe", "refuse"), (policy.Doors[a.Door].FailMode, policy.Doors[a.Door].OfflineLiveFacts));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(30 * 24 * 60 + 1)]
    public async Task UpdateSite_HorizonOutOfBounds_Answers400AndWritesNothing(int minutes)
    {
        var site = await _admin.CreateSiteAsync();

        var problem = await (await _admin.PutJsonAsync($"/api/v1/sites/{site}", new { name = "Renamed", timeZone = "Europe/Berlin", offlineHorizonMinutes = minutes }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty("offlineHorizonMinutes", out _));
        var saved = await _admin.GetJsonAsync($"/api/v1/sites/{site}");
        Assert.Equal(24 * 60, saved.GetProperty("offlineHorizonMinutes").GetInt32());
        Assert.Equal("Makerspace", saved.GetProperty("name").GetString());
    }

    [Fact]
    public async Task UpdateDoor_UnknownFailMode_Answers400AndWritesNothing()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);

        var response = await _admin.PutRawAsync($"/api/v1/doors/{door}", $$"""{"siteId":"{{site}}","name":"Renamed","failMode":"open_wide"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var saved = await _admin.GetJsonAsync($"/api/v1/doors/{door}");
        Assert.Equal(("secure", "Front door"), (saved.GetProperty("failMode").GetString(), saved.GetProperty("name").GetString()));
    }
}

public sealed class ControllerBundleSqliteTests(SqliteDevicesFixture fixture) : ControllerBundleTests(fixture.Server), IClassFixture<SqliteDevicesFixture>;

public sealed class ControllerBundlePostgresTests(PostgresDevicesFixture fixture) : ControllerBundleTests(fixture.Server), IClassFixture<PostgresDevicesFixture>;
