using System.Net;
using System.Text.Json;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.TwoPerson;

/// <summary>
/// A door's two-person rule on real traffic: cards at a controller's reader over MQTT, racing scans of several
/// people, the window on the server's clock, the explainer against real scans, and the setting's validation.
/// </summary>
public abstract class TwoPersonTests(PortierServer server)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly string[] Cards = ["2B0001", "2B0002", "2B0003"];

    /// <summary>The scenario's front door needing two people within <paramref name="seconds"/>, and three more card holders.</summary>
    private async Task<(AccessScenario S, List<Guid> People)> ScenarioAsync(int seconds = 10)
    {
        var s = await AccessScenario.CreateAsync(server);
        await (await SetRuleAsync(s, new { windowSeconds = seconds })).ExpectAsync(HttpStatusCode.OK);
        var people = new List<Guid>();
        foreach (var card in Cards)
        {
            var person = await s.CreatePersonAsync("Member", "Current");
            await (await s.Admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = card })).ExpectAsync(HttpStatusCode.Created);
            people.Add(person);
        }
        s.SetLocalTime(12);
        await s.HeartbeatAsync();
        return (s, people);
    }

    private static async Task<HttpResponseMessage> SetRuleAsync(AccessScenario s, object? twoPerson) =>
        await s.Admin.PutJsonAsync($"/api/v1/doors/{s.DoorId}", new { siteId = s.SiteId, name = "Front door", zoneId = s.ZoneId, twoPerson });

    private static Task<MQTTnet.MqttClientPublishResult> PublishAsync(TestDevice device, string card) =>
        device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, card), DateTimeOffset.UnixEpoch));

    /// <summary>Presents the cards together; the controller acknowledges every command. Returns the commands.</summary>
    private static async Task<List<CommandMessage>> ScanAllAsync(AccessScenario s, params string[] cards)
    {
        var answered = Task.Run(async () =>
        {
            var seen = new List<CommandMessage>();
            while (seen.Count < cards.Length)
            {
                var command = await s.Device.NextCommandAsync();
                await s.Device.AckAsync(command.CommandId);
                seen.Add(command);
            }
            return seen;
        });
        await Task.WhenAll(cards.Select(card => Task.Run(() => PublishAsync(s.Device, card), Token)));
        return await answered;
    }

    private static async Task<string> ScanAsync(AccessScenario s, string card)
    {
        var command = Assert.Single(await ScanAllAsync(s, card));
        return command.Type == CommandType.Unlock ? "granted" : command.Reason!;
    }

    private static async Task<List<JsonElement>> AttemptsAsync(AccessScenario s) =>
        [.. (await s.Admin.GetJsonAsync($"/api/v1/access-events?doorId={s.DoorId}&pageSize=100")).GetProperty("items").EnumerateArray()];

    private static async Task<string> ExplainAsync(AccessScenario s, Guid personId) =>
        (await (await s.Admin.PostJsonAsync("/api/v1/decisions/explain", new { doorId = s.DoorId, personId })).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("reason").GetString()!;

    [Fact]
    public async Task Setting_OutOfRangeIsRefusedWithItsCode_DefaultIsTenSeconds_NullTurnsItOff()
    {
        var s = await AccessScenario.CreateAsync(server);
        await using var _ = s;
        foreach (var seconds in new[] { 2, 121 })
        {
            var refused = await (await SetRuleAsync(s, new { windowSeconds = seconds })).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal("two_person_window_out_of_range", refused.GetProperty("code").GetString());
        }
        var set = await (await SetRuleAsync(s, new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(10, set.GetProperty("twoPerson").GetProperty("windowSeconds").GetInt32());
        Assert.Equal(10, (await s.Admin.GetJsonAsync($"/api/v1/doors/{s.DoorId}")).GetProperty("twoPerson").GetProperty("windowSeconds").GetInt32());
        var cleared = await (await SetRuleAsync(s, null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("twoPerson").ValueKind);
        // Within the site's hours whatever the class's other tests left on the shared clock.
        s.SetLocalTime(12);
        await s.HeartbeatAsync();
        Assert.Equal("granted", await ScanAsync(s, AccessScenario.Card));
    }

    [Fact]
    public async Task TwoPeople_FirstWaits_SecondOpens_TheLogNamesBoth()
    {
        var (s, people) = await ScenarioAsync();
        await using var _ = s;

        Assert.Equal("two_person_waiting", await ScanAsync(s, AccessScenario.Card));
        server.Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("granted", await ScanAsync(s, Cards[0]));

        var attempts = await AttemptsAsync(s);
        var waited = Assert.Single(attempts, a => a.GetProperty("reason").GetString() == "two_person_waiting");
        Assert.Equal(s.PersonId, waited.GetProperty("personId").GetGuid());
        var opened = Assert.Single(attempts, a => a.GetProperty("allowed").GetBoolean());
        Assert.Equal(people[0], opened.GetProperty("personId").GetGuid());
        Assert.Equal(s.PersonId, opened.GetProperty("companionPersonId").GetGuid());

        // The wait was taken by the opening: the next person starts afresh.
        Assert.Equal("two_person_waiting", await ScanAsync(s, Cards[1]));
    }

    [Fact]
    public async Task SamePersonTwice_NeverOpens_AndAWaitPastTheWindowDoesNotPair()
    {
        var (s, _) = await ScenarioAsync(seconds: 5);
        await using var __ = s;

        Assert.Equal("two_person_waiting", await ScanAsync(s, AccessScenario.Card));
        Assert.Equal("two_person_waiting", await ScanAsync(s, AccessScenario.Card));
        server.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("two_person_waiting", await ScanAsync(s, Cards[0]));
        Assert.Equal("granted", await ScanAsync(s, AccessScenario.Card));
        Assert.DoesNotContain(await AttemptsAsync(s), a => a.GetProperty("allowed").GetBoolean() && a.GetProperty("personId").GetGuid() == Guid.Empty);
    }

    [Fact]
    public async Task Racing_TwoPeopleTogether_ExactlyOneOpening()
    {
        var (s, _) = await ScenarioAsync();
        await using var _ = s;

        var commands = await ScanAllAsync(s, AccessScenario.Card, Cards[0]);

        Assert.Equal(1, commands.Count(c => c.Type == CommandType.Unlock));
        Assert.Equal(1, commands.Count(c => c.Type == CommandType.Deny && c.Reason == "two_person_waiting"));
    }

    [Fact]
    public async Task Racing_TwoSecondPeopleForOneWaiting_ExactlyOneOpens_TheOtherWaitsAfresh()
    {
        var (s, people) = await ScenarioAsync();
        await using var _ = s;
        Assert.Equal("two_person_waiting", await ScanAsync(s, AccessScenario.Card));

        var commands = await ScanAllAsync(s, Cards[0], Cards[1]);

        Assert.Equal(1, commands.Count(c => c.Type == CommandType.Unlock));
        Assert.Equal(1, commands.Count(c => c.Type == CommandType.Deny && c.Reason == "two_person_waiting"));
        var attempts = await AttemptsAsync(s);
        var opened = Assert.Single(attempts, a => a.GetProperty("allowed").GetBoolean() && a.GetProperty("outcomeOf").ValueKind == JsonValueKind.Null);
        Assert.Equal(s.PersonId, opened.GetProperty("companionPersonId").GetGuid());
        var loser = people[0] == opened.GetProperty("personId").GetGuid() ? people[1] : people[0];

        // The one who lost the race now waits; the first person, back within the window, opens with them.
        Assert.Equal("granted", await ExplainAsync(s, s.PersonId));
        Assert.Equal("granted", await ScanAsync(s, AccessScenario.Card));
        opened = Assert.Single(await AttemptsAsync(s), a => a.GetProperty("allowed").GetBoolean() && a.GetProperty("personId").GetGuid() == s.PersonId);
        Assert.Equal(loser, opened.GetProperty("companionPersonId").GetGuid());
    }

    [Fact]
    public async Task Explain_AgreesWithRealScans()
    {
        var (s, people) = await ScenarioAsync();
        await using var _ = s;

        Assert.Equal("two_person_waiting", await ExplainAsync(s, s.PersonId));
        Assert.Equal("two_person_waiting", await ScanAsync(s, AccessScenario.Card));
        Assert.Equal("two_person_waiting", await ExplainAsync(s, s.PersonId));
        Assert.Equal("granted", await ExplainAsync(s, people[0]));
        Assert.Equal("granted", await ScanAsync(s, Cards[0]));
    }

    [Fact]
    public async Task AdminOverride_IsNotSubjectToTheRule()
    {
        var (s, _) = await ScenarioAsync();
        await using var _ = s;
        var acked = s.AckNextCommandAsync();
        var opened = await (await s.Admin.PostJsonAsync($"/api/v1/doors/{s.DoorId}/open", new { personId = s.PersonId })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(CommandType.Unlock, (await acked).Type);
        Assert.True(opened.GetProperty("allowed").GetBoolean());
    }
}

public sealed class TwoPersonSqliteTests(SqliteUnlocksFixture fixture) : TwoPersonTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class TwoPersonPostgresTests(PostgresUnlocksFixture fixture) : TwoPersonTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
