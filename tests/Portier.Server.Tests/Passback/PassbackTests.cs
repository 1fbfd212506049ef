using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.Passback;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Passback;

/// <summary>
/// A zone's anti-passback on real traffic: cards at a controller's entry and exit readers over MQTT, the
/// member app and an administrator's override, racing scans with and without a capacity, and forgiveness
/// by hand and at night across a DST switch.
/// </summary>
public abstract class PassbackTests(PortierServer server)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly object Here = new { location = new { latitude = AccessScenario.Latitude, longitude = AccessScenario.Longitude, accuracyMeters = 5 } };

    /// <summary>The scenario with the zone's anti-passback set, an entry reader "in" and an exit reader "out" at its door.</summary>
    private async Task<AccessScenario> ScenarioAsync(string mode, int? minutes = null, int? capacity = null)
    {
        var s = await AccessScenario.CreateAsync(server);
        if (capacity is not null)
            await (await s.Admin.PutJsonAsync($"/api/v1/zones/{s.ZoneId}", new { siteId = s.SiteId, name = "Main hall", capacity })).ExpectAsync(HttpStatusCode.OK);
        await (await s.Admin.PutJsonAsync($"/api/v1/zones/{s.ZoneId}/passback", new { mode, minutes })).ExpectAsync(HttpStatusCode.OK);
        foreach (var (reader, direction) in new[] { ("in", "entry"), ("out", "exit") })
            await (await s.Admin.PostJsonAsync($"/api/v1/devices/{s.Device.Id}/readers", new { readerId = reader, doorId = s.DoorId, kind = "card", direction }))
                .ExpectAsync(HttpStatusCode.Created);
        s.SetLocalTime(12);
        await s.HeartbeatAsync();
        return s;
    }

    /// <summary>Presents a card at a reader; the controller acknowledges an unlock. Returns "granted" or the deny reason.</summary>
    private static async Task<string> ScanAsync(AccessScenario s, string reader, string card = AccessScenario.Card)
    {
        var answered = Task.Run(async () =>
        {
            var command = await s.Device.NextCommandAsync();
            if (command.Type == CommandType.Unlock) await s.Device.AckAsync(command.CommandId);
            return command;
        });
        await s.Device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, card), DateTimeOffset.UnixEpoch, reader));
        var command = await answered;
        return command.Type == CommandType.Unlock ? "granted" : command.Reason!;
    }

    private static async Task<List<JsonElement>> AttemptsAsync(AccessScenario s, string filter = "") =>
        [.. (await s.Admin.GetJsonAsync($"/api/v1/access-events?doorId={s.DoorId}&pageSize=100{filter}")).GetProperty("items").EnumerateArray()];

    private static async Task<List<JsonElement>> SettledAsync(AccessScenario s, int count)
    {
        List<JsonElement> items = [];
        await DeviceKit.EventuallyAsync(async () =>
        {
            items = await AttemptsAsync(s);
            return items.Count >= count && items.All(e => e.GetProperty("outcome").GetString() != "pending");
        }, $"{count} attempts are logged with their outcomes");
        return items;
    }

    private static async Task<string> PresenceAsync(AccessScenario s, Guid personId)
    {
        var items = (await s.Admin.GetJsonAsync($"/api/v1/zones/{s.ZoneId}/presences")).GetProperty("items").EnumerateArray();
        return items.Where(p => p.GetProperty("personId").GetGuid() == personId).Select(p => p.GetProperty("state").GetString()!).SingleOrDefault() ?? "unknown";
    }

    private static async Task<string> CardHolderAsync(AccessScenario s, string card)
    {
        var person = await s.CreatePersonAsync("Member", "Current");
        await (await s.Admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = card })).ExpectAsync(HttpStatusCode.Created);
        return card;
    }

    [Fact]
    public async Task Hard_TwoScansAtTheEntryReader_SecondIsDeniedPassbackViolation_AndTheLogFiltersIt()
    {
        await using var s = await ScenarioAsync("hard");

        Assert.Equal("granted", await ScanAsync(s, "in"));
        Assert.Equal("passback_violation", await ScanAsync(s, "in"));

        var violation = Assert.Single(await AttemptsAsync(s, "&passbackViolation=true"));
        Assert.False(violation.GetProperty("allowed").GetBoolean());
        Assert.Equal("passback_violation", violation.GetProperty("reason").GetString());
        Assert.Equal("entry_without_exit", violation.GetProperty("passbackViolation").GetString());
        Assert.Equal(JsonValueKind.Null, Assert.Single(await AttemptsAsync(s, "&passbackViolation=false")).GetProperty("passbackViolation").ValueKind);
        Assert.Equal("inside", await PresenceAsync(s, s.PersonId));

        // Out through the exit reader, and in again.
        Assert.Equal("granted", await ScanAsync(s, "out"));
        Assert.Equal("outside", await PresenceAsync(s, s.PersonId));
        Assert.Equal("granted", await ScanAsync(s, "in"));
    }

    [Fact]
    public async Task Soft_TwoScansAtTheEntryReader_BothOpen_TheSecondIsRecordedAsAViolation()
    {
        await using var s = await ScenarioAsync("soft");

        Assert.Equal("granted", await ScanAsync(s, "in"));
        Assert.Equal("granted", await ScanAsync(s, "in"));

        await SettledAsync(s, 2);
        var violation = Assert.Single(await AttemptsAsync(s, "&passbackViolation=true"));
        Assert.True(violation.GetProperty("allowed").GetBoolean());
        Assert.Equal("granted", violation.GetProperty("reason").GetString());
        Assert.Equal("entry_without_exit", violation.GetProperty("passbackViolation").GetString());
    }

    [Fact]
    public async Task Hard_ExitWithoutAnEntry_IsNeverRefused_ButRecorded()
    {
        await using var s = await ScenarioAsync("hard");
        Assert.Equal("granted", await ScanAsync(s, "in"));
        Assert.Equal("granted", await ScanAsync(s, "out"));

        Assert.Equal("granted", await ScanAsync(s, "out"));

        await SettledAsync(s, 3);
        var violation = Assert.Single(await AttemptsAsync(s, "&passbackViolation=true"));
        Assert.True(violation.GetProperty("allowed").GetBoolean());
        Assert.Equal("exit_without_entry", violation.GetProperty("passbackViolation").GetString());
    }

    [Fact]
    public async Task Timed_ReentryWithinTheMinutes_IsRefused_AfterThemItPasses()
    {
        await using var s = await ScenarioAsync("timed", minutes: 30);
        Assert.Equal("granted", await ScanAsync(s, "in"));
        Assert.Equal("granted", await ScanAsync(s, "out"));

        server.Clock.Advance(TimeSpan.FromMinutes(29));
        await s.HeartbeatAsync();
        Assert.Equal("passback_violation", await ScanAsync(s, "in"));

        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await s.HeartbeatAsync();
        Assert.Equal("granted", await ScanAsync(s, "in"));
    }

    [Fact]
    public async Task Hard_ConcurrentScansOfOneCard_ExactlyOneOpens()
    {
        await using var s = await ScenarioAsync("hard");
        const int scans = 8;
        var answered = AnswerAllAsync(s.Device, scans);
        await Task.WhenAll(Enumerable.Range(0, scans).Select(_ => Task.Run(() => PublishAsync(s.Device, AccessScenario.Card), Token)));
        var commands = await answered;

        Assert.Equal(1, commands.Count(c => c.Type == CommandType.Unlock));
        Assert.Equal(scans - 1, commands.Count(c => c.Type == CommandType.Deny && c.Reason == "passback_violation"));
        Assert.Equal(scans - 1, (await AttemptsAsync(s, "&passbackViolation=true")).Count);
    }

    [Fact]
    public async Task Hard_WithCapacity_ConcurrentScansOfManyPeopleTwiceEach_ExactlyTheAllowedCountPasses_EachPersonOnce()
    {
        await using var s = await ScenarioAsync("hard", capacity: 3);
        var cards = new List<string>();
        for (var i = 0; i < 6; i++) cards.Add(await CardHolderAsync(s, $"7A55{i:X4}"));
        var scans = cards.Concat(cards).ToList();

        var answered = AnswerAllAsync(s.Device, scans.Count);
        await Task.WhenAll(scans.Select(card => Task.Run(() => PublishAsync(s.Device, card), Token)));
        var commands = await answered;

        Assert.Equal(3, commands.Count(c => c.Type == CommandType.Unlock));
        Assert.All(commands.Where(c => c.Type == CommandType.Deny), c => Assert.Contains(c.Reason, new[] { "capacity_exceeded", "passback_violation" }));
        var granted = (await SettledAsync(s, scans.Count)).Where(a => a.GetProperty("allowed").GetBoolean()).ToList();
        Assert.Equal(3, granted.Select(a => a.GetProperty("personId").GetGuid()).Distinct().Count());
        Assert.Equal(3, (await s.Admin.GetJsonAsync($"/api/v1/zones/{s.ZoneId}")).GetProperty("currentCount").GetInt32());
        var inside = (await s.Admin.GetJsonAsync($"/api/v1/zones/{s.ZoneId}/presences?state=inside")).GetProperty("items").EnumerateArray()
            .Select(p => p.GetProperty("personId").GetGuid()).ToHashSet();
        Assert.True(inside.SetEquals(granted.Select(a => a.GetProperty("personId").GetGuid())), "exactly the people let in are inside");
    }

    [Fact]
    public async Task MemberApp_SecondUnlockWithoutAnExit_IsPassbackViolation()
    {
        await using var s = await ScenarioAsync("hard");
        var (personId, app) = await server.SignInMemberAsync(s.Admin, s.SiteId);

        Assert.Equal("granted", await AppUnlockAsync(s, app));
        Assert.Equal("passback_violation", await AppUnlockAsync(s, app));
        Assert.Equal("inside", await PresenceAsync(s, personId));
        var explained = await (await s.Admin.PostJsonAsync("/api/v1/decisions/explain", new { doorId = s.DoorId, personId })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("passback_violation", explained.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AdminOverride_ForAPersonInside_OpensAndRecordsTheViolation()
    {
        await using var s = await ScenarioAsync("hard");
        Assert.Equal("granted", await ScanAsync(s, "in"));

        var acked = s.AckNextCommandAsync();
        var opened = await (await s.Admin.PostJsonAsync($"/api/v1/doors/{s.DoorId}/open", new { personId = s.PersonId })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(CommandType.Unlock, (await acked).Type);

        Assert.True(opened.GetProperty("allowed").GetBoolean());
        var violation = Assert.Single(await AttemptsAsync(s, "&passbackViolation=true"));
        Assert.Equal(("admin_override", "entry_without_exit"), (violation.GetProperty("method").GetString(), violation.GetProperty("passbackViolation").GetString()));
        Assert.Equal(s.PersonId, violation.GetProperty("personId").GetGuid());
    }

    [Fact]
    public async Task Forgive_OnePerson_LetsTheirNextEntryPass_OthersStayInside_AndIsAudited()
    {
        await using var s = await ScenarioAsync("hard");
        var other = await CardHolderAsync(s, "0F0F0F0F");
        Assert.Equal("granted", await ScanAsync(s, "in"));
        Assert.Equal("granted", await ScanAsync(s, "in", other));

        var forgiven = await (await s.Admin.PostJsonAsync($"/api/v1/zones/{s.ZoneId}/passback/forgive", new { personId = s.PersonId })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(1, forgiven.GetProperty("forgiven").GetInt32());
        Assert.Equal("granted", await ScanAsync(s, "in"));
        Assert.Equal("passback_violation", await ScanAsync(s, "in", other));
        var audit = (await s.Admin.GetJsonAsync($"/api/v1/audit?entityId={forgiven.Id()}")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("PassbackForgiveness", Assert.Single(audit).GetProperty("entityType").GetString());

        var everyone = await (await s.Admin.PostJsonAsync($"/api/v1/zones/{s.ZoneId}/passback/forgive", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, everyone.GetProperty("forgiven").GetInt32());
        Assert.Equal("granted", await ScanAsync(s, "in", other));
    }

    [Fact]
    public async Task Settings_AreValidated_AndEveryChangeIsAudited()
    {
        await using var s = await ScenarioAsync("off");
        var url = $"/api/v1/zones/{s.ZoneId}/passback";
        await (await s.Admin.PutJsonAsync(url, new { mode = "timed" })).ExpectAsync(HttpStatusCode.BadRequest);
        await (await s.Admin.PutJsonAsync(url, new { mode = "timed", minutes = 1441 })).ExpectAsync(HttpStatusCode.BadRequest);
        await (await s.Admin.PutJsonAsync(url, new { mode = "hard", minutes = 5 })).ExpectAsync(HttpStatusCode.BadRequest);
        await (await s.Admin.PutJsonAsync(url, new { mode = "hard", forgiveAt = "25:00" })).ExpectAsync(HttpStatusCode.BadRequest);
        await (await s.Admin.PutJsonAsync(url, new { mode = "sideways" })).ExpectAsync(HttpStatusCode.BadRequest);

        var set = await (await s.Admin.PutJsonAsync(url, new { mode = "timed", minutes = 45, forgiveAt = "03:00" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("timed", 45, "03:00"), (set.GetProperty("mode").GetString(), set.GetProperty("minutes").GetInt32(), set.GetProperty("forgiveAt").GetString()));
        var audit = (await s.Admin.GetJsonAsync($"/api/v1/audit?entityId={s.ZoneId}")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "updated" && a.GetProperty("after").GetString()!.Contains("\"PassbackForgiveAt\":\"03:00\"", StringComparison.Ordinal)
            && a.GetProperty("after").GetString()!.Contains("\"PassbackMinutes\":45", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nightly_ForgivesAtTheSitesLocalTime_OnTheNightTheClocksSpringForward()
    {
        await using var s = await ScenarioAsync("hard");
        var newYork = DateTimeZoneProviders.Tzdb["America/New_York"];
        // The next spring-forward night: 02:30 does not exist, so the forgiveness runs at 03:30 daylight time.
        var now = Instant.FromDateTimeOffset(server.Clock.GetUtcNow());
        var gap = newYork.GetZoneIntervals(now + Duration.FromDays(2), now + Duration.FromDays(400))
            .First(i => i.HasStart && i.Start > now + Duration.FromDays(2) && newYork.GetUtcOffset(i.Start - Duration.FromSeconds(1)) < i.WallOffset);
        var before = gap.Start.InZone(newYork).Date.PlusDays(-1).AtMidnight().PlusHours(12).InZoneLeniently(newYork).ToInstant();
        server.Clock.SetUtcNow(before.ToDateTimeOffset());
        await s.HeartbeatAsync();
        Assert.Equal("granted", await ScanAsync(s, "in"));
        await (await s.Admin.PutJsonAsync($"/api/v1/zones/{s.ZoneId}/passback", new { mode = "hard", forgiveAt = "02:30" })).ExpectAsync(HttpStatusCode.OK);
        var nightly = server.Services.GetRequiredService<NightlyForgiveness>();

        var runsAt = gap.Start + Duration.FromMinutes(30);
        Assert.Equal("03:30", runsAt.InZone(newYork).TimeOfDay.ToString("HH:mm", null));
        server.Clock.SetUtcNow((runsAt - Duration.FromMinutes(1)).ToDateTimeOffset());
        await nightly.RunDueAsync(Token);
        Assert.Equal("inside", await PresenceAsync(s, s.PersonId));

        server.Clock.SetUtcNow(runsAt.ToDateTimeOffset());
        await nightly.RunDueAsync(Token);
        await DeviceKit.EventuallyAsync(async () => await PresenceAsync(s, s.PersonId) == "unknown", "the nightly forgiveness reset the presence");
        var forgivenesses = (await s.Admin.GetJsonAsync($"/api/v1/audit?entityType=PassbackForgiveness&siteId={s.SiteId}")).GetProperty("items").EnumerateArray().ToList();
        Assert.Single(forgivenesses);

        // Once a night: later the same night nothing runs again.
        server.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await nightly.RunDueAsync(Token));
        s.SetLocalTime(12);
        await s.HeartbeatAsync();
        Assert.Equal("granted", await ScanAsync(s, "in"));
    }

    private static Task<MQTTnet.MqttClientPublishResult> PublishAsync(TestDevice device, string card) =>
        device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, card), DateTimeOffset.UnixEpoch, "in"));

    /// <summary>The controller acknowledges every command it receives until it has seen <paramref name="count"/>.</summary>
    private static Task<List<CommandMessage>> AnswerAllAsync(TestDevice device, int count) => Task.Run(async () =>
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

    private static async Task<string> AppUnlockAsync(AccessScenario s, HttpClient app)
    {
        var acker = Task.Run(async () =>
        {
            try
            {
                var command = await s.Device.NextCommandAsync();
                await s.Device.AckAsync(command.CommandId);
            }
            catch (OperationCanceledException)
            {
                // A denial sends the app's door nothing.
            }
        });
        var answer = await (await app.PostJsonAsync($"/api/v1/doors/{s.DoorId}/unlock", Here)).ExpectAsync(HttpStatusCode.OK);
        await acker;
        return answer.GetProperty("reason").GetString()!;
    }
}

public sealed class PassbackSqliteTests(SqliteUnlocksFixture fixture) : PassbackTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class PassbackPostgresTests(PostgresUnlocksFixture fixture) : PassbackTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
