using System.Net;
using System.Text.Json;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Unlocks;

/// <summary>
/// Every way through a door runs the one access pipeline: a card at a reader, a PIN at a gate, the
/// member app and an administrator's override reach the same decision, count the same uses, hold the
/// same zone capacity and record exactly one attempt each.
/// </summary>
public abstract class OnePipelineTests(PortierServer server)
{
    private const string Pin = "482913";

    /// <summary>The scenario's site with one member who holds a card and a PIN and is signed in to the app, and a gate into the same zone.</summary>
    private sealed record Paths(AccessScenario Scenario, Guid PersonId, HttpClient App, HttpClient Gate, Guid GateId, string Card, Guid CardId, Guid PinId);

    private async Task<Paths> PathsAsync(int? maxUses = null, int? capacity = null)
    {
        var scenario = await AccessScenario.CreateAsync(server);
        var admin = scenario.Admin;
        if (capacity is { } limit)
            await (await admin.PutJsonAsync($"/api/v1/zones/{scenario.ZoneId}", new { siteId = scenario.SiteId, name = "Main hall", capacity = limit }))
                .ExpectAsync(HttpStatusCode.OK);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        var (personId, app) = await server.SignInMemberAsync(admin, scenario.SiteId);
        var card = "5EED" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var cardId = (await (await admin.PostJsonAsync("/api/v1/credentials", new { personId, kind = "card", value = card, maxUses }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var pinId = (await (await admin.PostJsonAsync("/api/v1/credentials", new { personId, kind = "pin", pin = Pin, maxUses }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var gateId = (await (await admin.PostJsonAsync("/api/v1/doors", new { siteId = scenario.SiteId, name = "Gate", zoneId = scenario.ZoneId, isPointOfEntry = true }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        return new Paths(scenario, personId, app, await server.GateAsync(admin), gateId, card, cardId, pinId);
    }

    private static readonly object Here = new { location = new { latitude = AccessScenario.Latitude, longitude = AccessScenario.Longitude, accuracyMeters = 5 } };

    private static async Task<string> ScanAsync(Paths p, bool ack = true)
    {
        var answered = Task.Run(async () =>
        {
            var command = await p.Scenario.Device.NextCommandAsync();
            if (ack && command.Type == CommandType.Unlock) await p.Scenario.Device.AckAsync(command.CommandId);
            return command;
        });
        await p.Scenario.Device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, p.Card), DateTimeOffset.UnixEpoch));
        var command = await answered;
        return command.Type == CommandType.Unlock ? "granted" : command.Reason!;
    }

    private static Task<string> GateAsync(Paths p) => p.Gate.ReasonAsync(p.GateId, "pin", Pin);

    private static async Task<string> AppAsync(Paths p) =>
        (await AckedAsync(p, () => p.App.PostJsonAsync($"/api/v1/doors/{p.Scenario.DoorId}/unlock", Here))).GetProperty("reason").GetString()!;

    private static async Task<string> OverrideAsync(Paths p) =>
        (await AckedAsync(p, () => p.Scenario.Admin.PostJsonAsync($"/api/v1/doors/{p.Scenario.DoorId}/open", new { }))).GetProperty("reason").GetString()!;

    /// <summary>
    /// Sends an HTTP opening while the controller acknowledges an unlock, if one comes within the
    /// device's wait. The reader is never abandoned early: a read left running would take (and never
    /// acknowledge) the next opening's command.
    /// </summary>
    private static async Task<JsonElement> AckedAsync(Paths p, Func<Task<HttpResponseMessage>> send)
    {
        var acker = Task.Run(async () =>
        {
            try
            {
                var command = await p.Scenario.Device.NextCommandAsync();
                await p.Scenario.Device.AckAsync(command.CommandId);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        });
        var answer = await (await send()).ExpectAsync(HttpStatusCode.OK);
        var acked = await acker;
        Assert.Equal(answer.GetProperty("allowed").GetBoolean(), acked);
        return answer;
    }

    private static async Task<string> ExplainAsync(Paths p) =>
        (await (await p.Scenario.Admin.PostJsonAsync("/api/v1/decisions/explain", new { doorId = p.Scenario.DoorId, personId = p.PersonId }))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("reason").GetString()!;

    /// <summary>The attempts (not their outcome rows) at a door, newest first.</summary>
    private static async Task<List<JsonElement>> AttemptsAsync(Paths p, Guid doorId) =>
        [.. (await p.Scenario.Admin.GetJsonAsync($"/api/v1/access-events?doorId={doorId}&pageSize=100")).GetProperty("items").EnumerateArray()];

    private static async Task<int> UsesAsync(Paths p, Guid credentialId) =>
        (await p.Scenario.Admin.GetJsonAsync($"/api/v1/credentials/{credentialId}")).GetProperty("useCount").GetInt32();

    [Fact]
    public async Task EveryPath_KillSwitchOff_DecidesAccessDisabled_AndRecordsOneAttemptEach()
    {
        var p = await PathsAsync();
        await using var _ = p.Scenario;
        await (await p.Scenario.Admin.PutJsonAsync($"/api/v1/people/{p.PersonId}/access", new { enabled = false })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("access_disabled", await ExplainAsync(p));
        Assert.Equal("access_disabled", await ScanAsync(p));
        Assert.Equal("access_disabled", await GateAsync(p));
        Assert.Equal("access_disabled", await AppAsync(p));

        var door = await AttemptsAsync(p, p.Scenario.DoorId);
        Assert.Equal(["app_unlock", "scan"], door.Select(e => e.GetProperty("method").GetString()!));
        Assert.All(door, e => Assert.Equal("access_disabled", e.GetProperty("reason").GetString()));
        Assert.All(door, e => Assert.Equal(p.PersonId, e.GetProperty("personId").GetGuid()));
        var gate = Assert.Single(await AttemptsAsync(p, p.GateId));
        Assert.Equal("access_disabled", gate.GetProperty("reason").GetString());
        Assert.Equal(p.PinId, gate.GetProperty("credentialId").GetGuid());
    }

    [Fact]
    public async Task EveryPath_Granted_RecordsOneAttemptEach_WithItsPath()
    {
        var p = await PathsAsync();
        await using var _ = p.Scenario;

        Assert.Equal("granted", await ExplainAsync(p));
        Assert.Equal("granted", await ScanAsync(p));
        Assert.Equal("granted", await GateAsync(p));
        Assert.Equal("granted", await AppAsync(p));
        Assert.Equal("granted", await OverrideAsync(p));

        List<JsonElement> door = [];
        await DeviceKit.EventuallyAsync(async () =>
        {
            door = await AttemptsAsync(p, p.Scenario.DoorId);
            return door.Count == 3 && door.All(e => e.GetProperty("outcome").GetString() == "confirmed_unlocked");
        }, "three attempts at the door, each confirmed");
        Assert.Equal(["admin_override", "app_unlock", "scan"], door.Select(e => e.GetProperty("method").GetString()!));
        Assert.Equal(["admin_override", "rule", "rule"], door.Select(e => e.GetProperty("path").GetString()!));
        var gate = Assert.Single(await AttemptsAsync(p, p.GateId));
        Assert.Equal(("granted", "rule", "not_sent"), (gate.GetProperty("reason").GetString(), gate.GetProperty("path").GetString(), gate.GetProperty("outcome").GetString()));
        // Entries through the door and the gate each took a place in the zone: four passages.
        Assert.Equal(4, (await p.Scenario.Admin.GetJsonAsync($"/api/v1/zones/{p.Scenario.ZoneId}")).GetProperty("currentCount").GetInt32());
    }

    [Fact]
    public async Task ReaderAndGate_LimitedCredentials_CountOneUseEach_ThenMaxUsesReached()
    {
        var p = await PathsAsync(maxUses: 1);
        await using var _ = p.Scenario;

        Assert.Equal("granted", await ScanAsync(p));
        Assert.Equal("granted", await GateAsync(p));
        Assert.Equal(1, await UsesAsync(p, p.CardId));
        Assert.Equal(1, await UsesAsync(p, p.PinId));

        Assert.Equal("max_uses_reached", await ScanAsync(p));
        Assert.Equal("max_uses_reached", await GateAsync(p));
        Assert.Equal(1, await UsesAsync(p, p.CardId));
        Assert.Equal(1, await UsesAsync(p, p.PinId));
    }

    [Fact]
    public async Task EveryPath_FullZone_IsCapacityExceeded_ButAnOverrideStillCountsItsEntry()
    {
        var p = await PathsAsync(capacity: 1);
        await using var _ = p.Scenario;
        async Task<int> Count() => (await p.Scenario.Admin.GetJsonAsync($"/api/v1/zones/{p.Scenario.ZoneId}")).GetProperty("currentCount").GetInt32();

        Assert.Equal("granted", await OverrideAsync(p));
        Assert.Equal(1, await Count());

        Assert.Equal("capacity_exceeded", await ScanAsync(p));
        Assert.Equal("capacity_exceeded", await GateAsync(p));
        Assert.Equal("capacity_exceeded", await AppAsync(p));
        Assert.Equal(1, await Count());

        Assert.Equal("granted", await OverrideAsync(p));
        Assert.Equal(2, await Count());
    }

    [Fact]
    public async Task AdminOverride_ControllerOffline_IsDeviceOfflineAtOnce_AndSendsNothing()
    {
        var p = await PathsAsync();
        await using var _ = p.Scenario;
        server.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var answer = await (await p.Scenario.Admin.PostJsonAsync($"/api/v1/doors/{p.Scenario.DoorId}/open", new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.False(answer.GetProperty("allowed").GetBoolean());
        Assert.Equal("device_offline", answer.GetProperty("reason").GetString());
        Assert.Equal("not_sent", answer.GetProperty("outcome").GetString());
        var attempt = Assert.Single(await AttemptsAsync(p, p.Scenario.DoorId));
        Assert.Equal(("admin_override", "device_offline"), (attempt.GetProperty("method").GetString(), attempt.GetProperty("reason").GetString()));
        var commands = await p.Scenario.Admin.GetJsonAsync($"/api/v1/devices/{p.Scenario.Device.Id}/commands");
        Assert.DoesNotContain(commands.GetProperty("items").EnumerateArray(), c => c.GetProperty("type").GetString() == "unlock");
    }
}

public sealed class OnePipelineSqliteTests(SqliteUnlocksFixture fixture) : OnePipelineTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class OnePipelinePostgresTests(PostgresUnlocksFixture fixture) : OnePipelineTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
