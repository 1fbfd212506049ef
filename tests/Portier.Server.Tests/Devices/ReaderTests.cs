using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Devices;

/// <summary>
/// A controller's readers over the real broker: each reader's scan is decided at its own door with its
/// own direction, the command names the door when the controller serves several, and the access log
/// and the live stream keep the reader.
/// </summary>
public abstract class ReaderTests(PortierServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<AccessScenario> ScenarioAsync(int? capacity = null)
    {
        var scenario = await AccessScenario.CreateAsync(server);
        if (capacity is { } limit)
            await (await scenario.Admin.PutJsonAsync($"/api/v1/zones/{scenario.ZoneId}", new { siteId = scenario.SiteId, name = "Main hall", capacity = limit }))
                .ExpectAsync(HttpStatusCode.OK);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        return scenario;
    }

    private static Task<HttpResponseMessage> AddReaderAsync(AccessScenario s, string readerId, Guid doorId, string direction = "entry", string kind = "card") =>
        s.Admin.PostJsonAsync($"/api/v1/devices/{s.Device.Id}/readers", new { readerId, doorId, kind, direction });

    /// <summary>Presents the scenario's card at <paramref name="readerId"/>; the controller acknowledges an unlock. Returns the command that answered.</summary>
    private static async Task<CommandMessage> ScanAsync(AccessScenario s, string? readerId)
    {
        var answered = Task.Run(async () =>
        {
            var command = await s.Device.NextCommandAsync();
            if (command.Type == CommandType.Unlock) await s.Device.AckAsync(command.CommandId);
            return command;
        });
        await s.Device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, AccessScenario.Card), DateTimeOffset.UnixEpoch, readerId));
        return await answered;
    }

    private static string Outcome(CommandMessage command) => command.Type == CommandType.Unlock ? "granted" : command.Reason!;

    private static async Task<List<JsonElement>> AttemptsAsync(AccessScenario s, Guid doorId) =>
        [.. (await s.Admin.GetJsonAsync($"/api/v1/access-events?doorId={doorId}&pageSize=100")).GetProperty("items").EnumerateArray()];

    private static async Task<int> CountAsync(AccessScenario s) =>
        (await s.Admin.GetJsonAsync($"/api/v1/zones/{s.ZoneId}")).GetProperty("currentCount").GetInt32();

    [Fact]
    public async Task TwoDoorsOneController_EachReaderOpensItsDoor_CommandNamesTheDoor_LogAndLiveKeepTheReader()
    {
        await using var s = await ScenarioAsync();
        var backDoor = (await (await s.Admin.PostJsonAsync("/api/v1/doors", new { siteId = s.SiteId, name = "Back door" })).ExpectAsync(HttpStatusCode.Created)).Id();
        await (await AddReaderAsync(s, "front-in", s.DoorId)).ExpectAsync(HttpStatusCode.Created);
        await (await AddReaderAsync(s, "back-in", backDoor)).ExpectAsync(HttpStatusCode.Created);
        var live = new ConcurrentQueue<JsonElement>();
        await using var connection = server.LiveConnection(PortierServer.AdminToken);
        connection.On<JsonElement>(LiveEventTypes.AccessGranted, e => live.Enqueue(e));
        await connection.StartAsync(Ct);
        await connection.InvokeAsync<JsonElement>("Subscribe", new { siteId = s.SiteId }, Ct);

        var back = await ScanAsync(s, "back-in");
        var front = await ScanAsync(s, "front-in");

        Assert.Equal((CommandType.Unlock, backDoor), (back.Type, back.DoorId));
        Assert.Equal((CommandType.Unlock, s.DoorId), (front.Type, front.DoorId));
        var atBack = Assert.Single(await AttemptsAsync(s, backDoor));
        Assert.Equal(("back-in", s.Device.Id), (atBack.GetProperty("readerId").GetString(), atBack.GetProperty("deviceId").GetGuid()));
        var atFront = Assert.Single(await AttemptsAsync(s, s.DoorId));
        Assert.Equal("front-in", atFront.GetProperty("readerId").GetString());
        await DeviceKit.EventuallyAsync(() => Task.FromResult(live.Count >= 2), "both grants on the live stream");
        Assert.Equal(["back-in", "front-in"], live.Take(2).Select(e => e.GetProperty("data").GetProperty("readerId").GetString()));
        // The door's page lists what serves it.
        var door = await s.Admin.GetJsonAsync($"/api/v1/doors/{backDoor}");
        var reader = Assert.Single(door.GetProperty("readers").EnumerateArray());
        Assert.Equal(("back-in", "Front controller", "card", "entry"), (reader.GetProperty("readerId").GetString(), reader.GetProperty("deviceName").GetString(),
            reader.GetProperty("kind").GetString(), reader.GetProperty("direction").GetString()));
    }

    [Fact]
    public async Task ExitReader_FreesAPlace_AndIsNotRefusedAtCapacity_WhileTheEntryReaderIs()
    {
        await using var s = await ScenarioAsync(capacity: 1);
        await (await AddReaderAsync(s, "in", s.DoorId, "entry")).ExpectAsync(HttpStatusCode.Created);
        await (await AddReaderAsync(s, "out", s.DoorId, "exit")).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("granted", Outcome(await ScanAsync(s, "in")));
        Assert.Equal(1, await CountAsync(s));
        Assert.Equal("capacity_exceeded", Outcome(await ScanAsync(s, "in")));
        Assert.Equal(1, await CountAsync(s));

        var exit = await ScanAsync(s, "out");
        Assert.Equal("granted", Outcome(exit));
        Assert.Null(exit.DoorId); // one door served: nothing to name
        Assert.Equal(0, await CountAsync(s));
        Assert.Equal("granted", Outcome(await ScanAsync(s, "in")));
        Assert.Equal(1, await CountAsync(s));
    }

    [Fact]
    public async Task UnknownReader_WithRegisteredReaders_IsDeniedUnknownReader_AndNothingIsDecided()
    {
        await using var s = await ScenarioAsync();
        await (await AddReaderAsync(s, "front-in", s.DoorId)).ExpectAsync(HttpStatusCode.Created);

        var command = await ScanAsync(s, "ghost");

        Assert.Equal((CommandType.Deny, "unknown_reader"), (command.Type, command.Reason));
        Assert.Empty(await AttemptsAsync(s, s.DoorId));
    }

    [Fact]
    public async Task NoRegisteredReaders_AnyReaderOrNone_GoesToTheDefaultDoor_AsBefore()
    {
        await using var s = await ScenarioAsync();

        Assert.Equal("granted", Outcome(await ScanAsync(s, "reader-1")));
        Assert.Equal("granted", Outcome(await ScanAsync(s, null)));

        var attempts = await AttemptsAsync(s, s.DoorId);
        Assert.Equal([null, "reader-1"], attempts.Select(e => e.TryGetProperty("readerId", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null));
    }

    [Fact]
    public async Task ReaderApi_RefusesBadInput_With400AndACode_AndWritesNothing()
    {
        await using var s = await ScenarioAsync();
        var created = await (await AddReaderAsync(s, "reader-1", s.DoorId, "exit", "keypad")).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(("reader-1", "keypad", "exit"), (created.GetProperty("readerId").GetString(), created.GetProperty("kind").GetString(), created.GetProperty("direction").GetString()));
        var otherSite = await s.Admin.CreateSiteAsync();
        var foreignDoor = (await (await s.Admin.PostJsonAsync("/api/v1/doors", new { siteId = otherSite, name = "Elsewhere" })).ExpectAsync(HttpStatusCode.Created)).Id();

        await ExpectCodeAsync(AddReaderAsync(s, "reader-1", s.DoorId), "reader_id_taken", "readerId");
        await ExpectCodeAsync(AddReaderAsync(s, "reader-2", foreignDoor), "door_other_site", "doorId");
        await ExpectCodeAsync(AddReaderAsync(s, "reader-2", s.DoorId, direction: "sideways"), "invalid_json", "direction");
        await ExpectCodeAsync(AddReaderAsync(s, new string('r', 65), s.DoorId), "validation_failed", null);
        await ExpectCodeAsync(AddReaderAsync(s, "", s.DoorId), "validation_failed", null);
        await ExpectCodeAsync(s.Admin.PutJsonAsync($"/api/v1/devices/{s.Device.Id}/readers/reader-1", new { readerId = "reader-1", doorId = foreignDoor, kind = "card", direction = "entry" }),
            "door_other_site", "doorId");

        var readers = (await s.Admin.GetJsonAsync($"/api/v1/devices/{s.Device.Id}/readers")).EnumerateArray().ToList();
        var only = Assert.Single(readers);
        Assert.Equal((s.DoorId, "exit"), (only.GetProperty("doorId").GetGuid(), only.GetProperty("direction").GetString()));
    }

    [Fact]
    public async Task ReaderApi_ChangeAndRemove_AreAudited()
    {
        await using var s = await ScenarioAsync();
        var id = (await (await AddReaderAsync(s, "reader-1", s.DoorId)).ExpectAsync(HttpStatusCode.Created)).Id();

        var changed = await (await s.Admin.PutJsonAsync($"/api/v1/devices/{s.Device.Id}/readers/reader-1",
            new { readerId = "reader-1", doorId = s.DoorId, kind = "combined", direction = "exit" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("combined", "exit"), (changed.GetProperty("kind").GetString(), changed.GetProperty("direction").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, (await s.Admin.DeleteAsync($"/api/v1/devices/{s.Device.Id}/readers/reader-1", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await s.Admin.DeleteAsync($"/api/v1/devices/{s.Device.Id}/readers/reader-1", Ct)).StatusCode);

        Assert.Empty((await s.Admin.GetJsonAsync($"/api/v1/devices/{s.Device.Id}/readers")).EnumerateArray());
        var audit = (await s.Admin.GetJsonAsync($"/api/v1/audit?entityId={id}")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, audit.Count);
    }

    private static async Task ExpectCodeAsync(Task<HttpResponseMessage> sending, string code, string? field)
    {
        using var response = await sending;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
    }
}

public sealed class ReaderSqliteTests(SqliteUnlocksFixture fixture) : ReaderTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class ReaderPostgresTests(PostgresUnlocksFixture fixture) : ReaderTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
