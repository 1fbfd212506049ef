using System.Net;
using System.Text.Json;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Unlocks;

/// <summary>Zone capacity enforced on real traffic: cards at a real controller over MQTT, racing for the last places.</summary>
public abstract class ZoneCapacityTests(PortierServer server)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<AccessScenario> ScenarioAsync(int capacity)
    {
        var scenario = await AccessScenario.CreateAsync(server);
        await (await scenario.Admin.PutJsonAsync($"/api/v1/zones/{scenario.ZoneId}", new { siteId = scenario.SiteId, name = "Main hall", capacity }))
            .ExpectAsync(HttpStatusCode.OK);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        return scenario;
    }

    /// <summary>A member of the scenario's site with a card of their own; returns the card's credential id.</summary>
    private static async Task<Guid> CardHolderAsync(AccessScenario scenario, string card)
    {
        var person = await scenario.CreatePersonAsync("Member", "Current");
        return (await (await scenario.Admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = card }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
    }

    private static Task<MQTTnet.MqttClientPublishResult> ScanAsync(TestDevice device, string card) =>
        device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, card), DateTimeOffset.UnixEpoch));

    /// <summary>The controller acknowledges every command it receives (unlocks and denials) until it has seen <paramref name="count"/>.</summary>
    private static Task<List<CommandMessage>> AnswerCommandsAsync(TestDevice device, int count) => Task.Run(async () =>
    {
        var seen = new List<CommandMessage>();
        while (seen.Count < count)
        {
            var command = await device.NextCommandAsync();
            await device.AckAsync(command.CommandId);
            seen.Add(command);
        }
        return seen;
    });

    private static async Task<List<JsonElement>> SettledAttemptsAsync(AccessScenario scenario, Guid doorId, int count)
    {
        List<JsonElement> items = [];
        await DeviceKit.EventuallyAsync(async () =>
        {
            items = [.. (await scenario.Admin.GetJsonAsync($"/api/v1/access-events?doorId={doorId}&pageSize=100")).GetProperty("items").EnumerateArray()];
            return items.Count >= count && items.All(e => e.GetProperty("outcome").GetString() != "pending");
        }, $"{count} attempts are logged with their outcomes");
        return items;
    }

    private static async Task<int> CountAsync(AccessScenario scenario) =>
        (await scenario.Admin.GetJsonAsync($"/api/v1/zones/{scenario.ZoneId}")).GetProperty("currentCount").GetInt32();

    /// <summary>A second door, leading out of the zone, with its own connected controller.</summary>
    private static async Task<(Guid DoorId, TestDevice Device)> ExitDoorAsync(AccessScenario scenario)
    {
        var door = (await (await scenario.Admin.PostJsonAsync("/api/v1/doors", new { siteId = scenario.SiteId, name = "Exit", zoneId = scenario.ZoneId, direction = "out" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var device = await scenario.Server.ConnectAsync(await scenario.Server.CreatePairedDeviceAsync(door));
        await device.HeartbeatAsync();
        await DeviceKit.EventuallyAsync(async () => (await scenario.Server.GetDeviceAsync(device.Id)).GetProperty("online").GetBoolean(), "the exit controller is online");
        return (door, device);
    }

    [Fact]
    public async Task TwelveConcurrentScans_AtCapacityFive_ExactlyFivePass_TheRestAreCapacityExceeded_AndUncounted()
    {
        await using var scenario = await ScenarioAsync(capacity: 5);
        var cards = Enumerable.Range(0, 12).Select(i => $"C0FFEE{i:X2}").ToList();
        var credentials = new List<Guid>();
        foreach (var card in cards) credentials.Add(await CardHolderAsync(scenario, card));

        var answered = AnswerCommandsAsync(scenario.Device, cards.Count);
        await Task.WhenAll(cards.Select(card => Task.Run(() => ScanAsync(scenario.Device, card), Token)));
        var commands = await answered;

        Assert.Equal(5, commands.Count(c => c.Type == CommandType.Unlock));
        Assert.Equal(7, commands.Count(c => c.Type == CommandType.Deny && c.Reason == "capacity_exceeded"));
        var attempts = await SettledAttemptsAsync(scenario, scenario.DoorId, cards.Count);
        Assert.Equal(5, attempts.Count(a => a.GetProperty("allowed").GetBoolean() && a.GetProperty("outcome").GetString() == "confirmed_unlocked"));
        Assert.Equal(7, attempts.Count(a => !a.GetProperty("allowed").GetBoolean() && a.GetProperty("reason").GetString() == "capacity_exceeded"));
        Assert.Equal(5, await CountAsync(scenario));
        // Only the five who passed used their card.
        var uses = new List<int>();
        foreach (var id in credentials) uses.Add((await scenario.Admin.GetJsonAsync($"/api/v1/credentials/{id}")).GetProperty("useCount").GetInt32());
        Assert.Equal(5, uses.Sum());
        Assert.All(uses, u => Assert.InRange(u, 0, 1));
    }

    [Fact]
    public async Task ScanAtExitDoor_FreesAPlace_SoTheNextEntryPasses()
    {
        await using var scenario = await ScenarioAsync(capacity: 1);
        await CardHolderAsync(scenario, "0E0E0E01");
        var (exitDoor, exit) = await ExitDoorAsync(scenario);
        await using var _ = exit;

        var answered = AnswerCommandsAsync(scenario.Device, 2);
        await ScanAsync(scenario.Device, AccessScenario.Card);
        await SettledAttemptsAsync(scenario, scenario.DoorId, 1);
        await ScanAsync(scenario.Device, "0E0E0E01");
        Assert.Equal([CommandType.Unlock, CommandType.Deny], (await answered).Select(c => c.Type));
        Assert.Equal(1, await CountAsync(scenario));

        var leaving = AnswerCommandsAsync(exit, 1);
        await ScanAsync(exit, AccessScenario.Card);
        Assert.Equal(CommandType.Unlock, Assert.Single(await leaving).Type);
        await SettledAttemptsAsync(scenario, exitDoor, 1);
        Assert.Equal(0, await CountAsync(scenario));

        var entering = AnswerCommandsAsync(scenario.Device, 1);
        await ScanAsync(scenario.Device, "0E0E0E01");
        Assert.Equal(CommandType.Unlock, Assert.Single(await entering).Type);
        Assert.Equal(1, await CountAsync(scenario));
    }

    [Fact]
    public async Task GateValidation_IntoAFullZone_IsCapacityExceeded_AndTheUseIsNotCounted()
    {
        var admin = server.Admin();
        var setup = await admin.SetUpInvitesAsync();
        var zone = await admin.CreateZoneAsync(setup.SiteId, "Plant room", capacity: 1);
        await (await admin.PutJsonAsync($"/api/v1/doors/{setup.GateA}", new { siteId = setup.SiteId, name = "Gate A", kind = "gate", zoneId = zone, isPointOfEntry = true }))
            .ExpectAsync(HttpStatusCode.OK);
        var gate = await server.GateAsync(admin);
        var first = (await admin.InviteAsync(setup, name: "First Visitor")).Issued("pin");
        var second = await admin.InviteAsync(setup, name: "Second Visitor");

        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "pin", first));
        Assert.Equal("capacity_exceeded", await gate.ReasonAsync(setup.GateA, "pin", second.Issued("pin")));

        Assert.Equal(1, (await admin.GetJsonAsync($"/api/v1/zones/{zone}")).GetProperty("currentCount").GetInt32());
        var refused = await admin.GetJsonAsync($"/api/v1/invites/{second.Reference()}");
        Assert.Equal("pending", refused.GetProperty("status").GetString());
        Assert.All(refused.GetProperty("credentials").EnumerateArray(), c => Assert.Equal(0, c.GetProperty("useCount").GetInt32()));
    }

    [Fact]
    public async Task AdminOverride_AtAFullZone_IsNeverRefused_AndCountsTheEntry()
    {
        await using var scenario = await ScenarioAsync(capacity: 1);
        var answered = AnswerCommandsAsync(scenario.Device, 2);
        await ScanAsync(scenario.Device, AccessScenario.Card);
        await SettledAttemptsAsync(scenario, scenario.DoorId, 1);
        Assert.Equal(1, await CountAsync(scenario));

        var opened = await (await scenario.Admin.PostJsonAsync($"/api/v1/doors/{scenario.DoorId}/open", new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.True(opened.GetProperty("allowed").GetBoolean());
        Assert.Equal([CommandType.Unlock, CommandType.Unlock], (await answered).Select(c => c.Type));
        Assert.Equal(2, await CountAsync(scenario));
        Assert.Equal(0, (await scenario.Admin.GetJsonAsync($"/api/v1/zones/{scenario.ZoneId}")).GetProperty("available").GetInt32());
    }
}

public sealed class ZoneCapacitySqliteTests(SqliteUnlocksFixture fixture) : ZoneCapacityTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class ZoneCapacityPostgresTests(PostgresUnlocksFixture fixture) : ZoneCapacityTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
