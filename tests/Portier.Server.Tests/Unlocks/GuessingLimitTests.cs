using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Guessing;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.DoorOps;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Unlocks;

/// <summary>
/// Guessing PINs at a reader over real MQTT: the reader backs off after its limit, refuses even the
/// right PIN while backed off, records every attempt, raises one burst alarm, keeps its back-off
/// across a restart and lets the right PIN in again once the back-off has passed.
/// </summary>
public abstract class GuessingLimitTests(PortierServer server)
{
    internal const string Pin = "482913";
    private static readonly GuessingOptions Defaults = new();

    /// <summary>
    /// A site whose rules admit every Member at any time, one member with <see cref="Pin"/>, and
    /// <paramref name="readers"/> doors, each with its controller paired, connected and online.
    /// </summary>
    internal static async Task<Keypads> KeypadsAsync(PortierServer server, int readers = 1, object? guessingLimits = null)
    {
        var admin = server.Admin();
        var siteId = (await (await admin.PostJsonAsync("/api/v1/sites", new
        {
            name = "Keypads " + Guid.NewGuid().ToString("N")[..6],
            timeZone = "Europe/Berlin",
            rules = new { personTypeRules = new[] { new { personType = "Member", statuses = Array.Empty<string>() } } },
            guessingLimits,
        })).ExpectAsync(HttpStatusCode.Created)).Id();
        var personId = (await (await admin.PostJsonAsync("/api/v1/people", new { siteId, name = "Mira Member", personType = "Member", membershipStatus = "Current" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        await (await admin.PostJsonAsync("/api/v1/credentials", new { personId, kind = "pin", pin = Pin })).ExpectAsync(HttpStatusCode.Created);
        var paired = new List<PairedDevice>();
        for (var i = 0; i < readers; i++)
            paired.Add(await server.CreatePairedDeviceAsync(await admin.CreateDoorAsync(siteId, $"Door {i + 1}")));
        var keypads = new Keypads(server, siteId, paired);
        await keypads.ConnectAsync();
        return keypads;
    }

    internal sealed class Keypads(PortierServer server, Guid siteId, IReadOnlyList<PairedDevice> paired) : IAsyncDisposable
    {
        private readonly List<TestDevice> _devices = [];

        public Guid SiteId => siteId;
        public IReadOnlyList<PairedDevice> Paired => paired;
        public Guid DoorId => paired[0].DoorId;

        public async Task ConnectAsync()
        {
            foreach (var device in _devices) await device.DisposeAsync();
            _devices.Clear();
            foreach (var p in paired)
            {
                var device = await server.ConnectAsync(p);
                _devices.Add(device);
                await device.HeartbeatAsync();
                await DeviceKit.EventuallyAsync(async () => (await server.GetDeviceAsync(p.Id)).GetProperty("online").GetBoolean(), "the controller is online");
            }
        }

        /// <summary>
        /// Types every PIN at the reader at once, as a guesser's script would, acknowledges every
        /// command that comes back, and answers each PIN's reason in order (granted for an unlock).
        /// </summary>
        public async Task<List<string>> TypeAsync(IReadOnlyList<string> pins, int reader = 0)
        {
            var device = _devices[reader];
            var scans = pins.Select(_ => Guid.NewGuid()).ToList();
            await Task.WhenAll(pins.Select((pin, i) => device.PublishAsync(DeviceTopic.Scan,
                new ScanMessage(scans[i], new PresentedCredential(CredentialKind.Pin, pin), DateTimeOffset.UnixEpoch))));
            var answers = new Dictionary<Guid, string>();
            while (answers.Count < pins.Count)
            {
                var command = await device.NextCommandAsync();
                await device.AckAsync(command.CommandId);
                answers[command.ScanId!.Value] = command.Type == CommandType.Unlock ? "granted" : command.Reason!;
            }
            return [.. scans.Select(s => answers[s])];
        }

        public async Task<string> TypeAsync(string pin, int reader = 0) => Assert.Single(await TypeAsync([pin], reader));

        /// <summary>The attempts at the first door with this reason, as the access log lists them.</summary>
        public async Task<List<JsonElement>> AttemptsAsync(string reason, int reader = 0) =>
            [.. (await server.Admin().GetJsonAsync($"/api/v1/access-events?doorId={paired[reader].DoorId}&reason={reason}&limit=200"))
                .GetProperty("items").EnumerateArray()];

        public async Task<List<JsonElement>> AlarmsAsync() =>
            [.. (await server.Admin().GetJsonAsync($"/api/v1/alarms?doorId={DoorId}")).GetProperty("items").EnumerateArray()];

        public async ValueTask DisposeAsync()
        {
            foreach (var device in _devices) await device.DisposeAsync();
        }
    }

    internal static List<string> WrongPins(int count, int from = 100_000) =>
        [.. Enumerable.Range(from, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    [Fact]
    public async Task WrongPinBurst_BacksOffAfterTheLimit_RefusesTheRightPinUnchecked_LogsEveryAttempt_RaisesOneAlarm()
    {
        await using var keypads = await KeypadsAsync(server);
        await using var receiver = new WebhookReceiver();
        await (await server.Admin().PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url, eventTypes = new[] { "alarm.raised" }, siteId = keypads.SiteId }))
            .ExpectAsync(HttpStatusCode.Created);

        var answers = await keypads.TypeAsync(WrongPins(200));
        Assert.Equal(Defaults.ReaderFailures, answers.Count(a => a == "invalid_credential"));
        Assert.Equal(200 - Defaults.ReaderFailures, answers.Count(a => a == "too_many_attempts"));
        // The burst is still on: the right PIN is refused without being looked up.
        Assert.Equal("too_many_attempts", await keypads.TypeAsync(Pin));

        Assert.Equal(Defaults.ReaderFailures, (await keypads.AttemptsAsync("invalid_credential")).Count);
        var throttled = await keypads.AttemptsAsync("too_many_attempts");
        Assert.Equal(200 - Defaults.ReaderFailures + 1, throttled.Count);
        Assert.All(throttled, e => Assert.False(e.GetProperty("allowed").GetBoolean()));
        Assert.All(throttled, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("credentialId").ValueKind));
        Assert.Empty(await keypads.AttemptsAsync("granted"));

        var alarm = Assert.Single(await keypads.AlarmsAsync());
        Assert.Equal("invalid_credential_burst", alarm.GetProperty("kind").GetString());
        Assert.True(alarm.GetProperty("standing").GetBoolean());
        // The live event is published once the alarm is committed, so it may follow the API's answer by a moment.
        await DeviceKit.EventuallyAsync(() => Task.FromResult(server.Events().Count("raised", keypads.DoorId, AlarmKind.InvalidCredentialBurst) > 0), "the alarm is on the live stream");
        Assert.Equal(1, server.Events().Count("raised", keypads.DoorId, AlarmKind.InvalidCredentialBurst));
        await DeviceKit.EventuallyAsync(() => Task.FromResult(!receiver.Calls.IsEmpty), "the alarm reaches the webhook");
        var delivered = JsonDocument.Parse(Assert.Single(receiver.Calls).Body).RootElement;
        Assert.Equal("alarm.raised", delivered.GetProperty("type").GetString());
        Assert.Equal("invalid_credential_burst", delivered.GetProperty("data").GetProperty("kind").GetString());

        // A quiet window ends the burst: the alarm clears, once.
        server.Clock.Advance(TimeSpan.FromSeconds(Defaults.BurstSeconds + GuessingSweeper.SweepInterval.TotalSeconds));
        await DeviceKit.EventuallyAsync(async () => !(await keypads.AlarmsAsync())[0].GetProperty("standing").GetBoolean(), "the burst alarm clears");
        await DeviceKit.EventuallyAsync(() => Task.FromResult(server.Events().Count("cleared", keypads.DoorId, AlarmKind.InvalidCredentialBurst) > 0), "the clearing is on the live stream");
        Assert.Equal(1, server.Events().Count("cleared", keypads.DoorId, AlarmKind.InvalidCredentialBurst));
    }

    [Fact]
    public async Task Backoff_EndsAfterItsTime_TheRightPinOpens_AndTheNextBackoffLastsTwiceAsLong()
    {
        await using var keypads = await KeypadsAsync(server);

        Assert.All(await keypads.TypeAsync(WrongPins(Defaults.ReaderFailures)), a => Assert.Equal("invalid_credential", a));
        Assert.Equal("too_many_attempts", await keypads.TypeAsync(Pin));
        server.Clock.Advance(TimeSpan.FromSeconds(Defaults.FirstLockSeconds - 1));
        Assert.Equal("too_many_attempts", await keypads.TypeAsync(Pin));
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("granted", await keypads.TypeAsync(Pin));

        Assert.All(await keypads.TypeAsync(WrongPins(Defaults.ReaderFailures, from: 200_000)), a => Assert.Equal("invalid_credential", a));
        server.Clock.Advance(TimeSpan.FromSeconds(Defaults.FirstLockSeconds));
        Assert.Equal("too_many_attempts", await keypads.TypeAsync(Pin));
        server.Clock.Advance(TimeSpan.FromSeconds(Defaults.FirstLockSeconds));
        Assert.Equal("granted", await keypads.TypeAsync(Pin));
    }

    [Fact]
    public async Task PinFailingAtSeveralReaders_IsLockedBeforeItsHundredthFailure_AtEveryReaderOfTheSite()
    {
        // Readers and the site that never back off on their own, so only the PIN's own counter can stop it.
        await using var keypads = await KeypadsAsync(server, readers: 4, guessingLimits: new { readerFailures = 1000, siteFailures = 10_000 });
        const string Guessed = "135792";

        var answers = new List<string>();
        for (var i = 0; i < 99; i++) answers.Add(await keypads.TypeAsync(Guessed, reader: i % 3));

        Assert.Equal(Defaults.PinFailures, answers.Count(a => a == "invalid_credential"));
        Assert.All(answers.Skip(Defaults.PinFailures), a => Assert.Equal("too_many_attempts", a));
        // Locked at a reader it was never typed at, while another PIN is still looked up there.
        Assert.Equal("too_many_attempts", await keypads.TypeAsync(Guessed, reader: 3));
        Assert.Equal("invalid_credential", await keypads.TypeAsync("246801", reader: 3));
        Assert.Equal("granted", await keypads.TypeAsync(Pin, reader: 3));
    }

    [Fact]
    public async Task SiteLimit_FailuresSpreadOverReaders_BackOffEveryReaderOfTheSite()
    {
        await using var keypads = await KeypadsAsync(server, readers: 3, guessingLimits: new { readerFailures = 1000, siteFailures = 6 });

        var answers = new List<string>();
        for (var i = 0; i < 6; i++) answers.Add(await keypads.TypeAsync((300_000 + i).ToString(CultureInfo.InvariantCulture), reader: i % 2));

        Assert.All(answers, a => Assert.Equal("invalid_credential", a));
        Assert.Equal("too_many_attempts", await keypads.TypeAsync(Pin, reader: 2));
        var site = await server.Admin().GetJsonAsync($"/api/v1/sites/{keypads.SiteId}");
        Assert.Equal(6, site.GetProperty("guessingLimits").GetProperty("siteFailures").GetInt32());
        Assert.Equal(JsonValueKind.Null, site.GetProperty("guessingLimits").GetProperty("pinFailures").ValueKind);
    }

    [Fact]
    public async Task SiteSettings_LimitOutOfRange_IsRefused()
    {
        var problem = await (await server.Admin().PostJsonAsync("/api/v1/sites", new
        {
            name = "Too lenient",
            timeZone = "Europe/Berlin",
            guessingLimits = new { pinFailures = 100, firstLockSeconds = 600, maxLockSeconds = 60 },
        })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("guessingLimits.pinFailures", out _));
        Assert.True(errors.TryGetProperty("guessingLimits.maxLockSeconds", out _));
    }
}

public abstract class GuessingFixture(DatabaseKind kind) : UnlocksFixture(kind)
{
    protected override void Configure(IWebHostBuilder builder) => Settings(builder);

    /// <summary>The settings of this fixture's server, for a test's own servers: pairing without a limit, door events recorded.</summary>
    public static void Settings(IWebHostBuilder builder)
    {
        builder.UseSetting("Devices:PairingAttemptsPerMinute", "100000");
        DoorOpsKit.Configure(builder);
    }
}

public sealed class SqliteGuessingFixture() : GuessingFixture(DatabaseKind.Sqlite);

public sealed class PostgresGuessingFixture() : GuessingFixture(DatabaseKind.Postgres);

public sealed class GuessingLimitSqliteTests(SqliteGuessingFixture fixture) : GuessingLimitTests(fixture.Server), IClassFixture<SqliteGuessingFixture>;

public sealed class GuessingLimitPostgresTests(PostgresGuessingFixture fixture) : GuessingLimitTests(fixture.Server), IClassFixture<PostgresGuessingFixture>;

/// <summary>A back-off is stored: a new server on the same database keeps refusing until its time is up.</summary>
public sealed class GuessingRestartTests
{
    private const string Pin = GuessingLimitTests.Pin;
    private static readonly GuessingOptions Defaults = new();

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Backoff_SurvivesARestart_OnTheSameDatabase(DatabaseKind kind)
    {
        var database = await TestDatabase.CreateAsync(kind);
        var start = PortierServer.DefaultStart;
        Guid siteId;
        IReadOnlyList<PairedDevice> paired;
        await using (var first = Start(database, start, ownsDatabase: false))
        {
            await using var keypads = await GuessingLimitTests.KeypadsAsync(first);
            (siteId, paired) = (keypads.SiteId, keypads.Paired);
            Assert.All(await keypads.TypeAsync(GuessingLimitTests.WrongPins(Defaults.ReaderFailures)), a => Assert.Equal("invalid_credential", a));
        }

        await using var second = Start(database, start.AddSeconds(Defaults.FirstLockSeconds - 5), ownsDatabase: true);
        await using var again = new GuessingLimitTests.Keypads(second, siteId, paired);
        await again.ConnectAsync();
        Assert.Equal("too_many_attempts", await again.TypeAsync(Pin));
        second.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("granted", await again.TypeAsync(Pin));
    }

    private static PortierServer Start(TestDatabase database, DateTimeOffset start, bool ownsDatabase)
    {
        var started = new PortierServer(database, GuessingFixture.Settings, start, ownsDatabase);
        _ = started.Server;
        return started;
    }
}
