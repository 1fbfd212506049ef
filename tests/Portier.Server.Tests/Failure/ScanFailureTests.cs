using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Failure;

/// <summary>
/// The record step refuses the attempts at one door, as a failing disk or database would: the
/// group commit that should make them durable throws.
/// </summary>
public sealed class RefusingRecordSink : IAccessEventSink
{
    public Guid? RefusedDoor { get; set; }

    public ValueTask BeforeCommitAsync(PortierDbContext db, IReadOnlyList<AccessEvent> events, CancellationToken ct) =>
        events.Any(e => e.DoorId == RefusedDoor)
            ? throw new IOException("The access log cannot be written.")
            : ValueTask.CompletedTask;

    public void AfterCommit(IReadOnlyList<AccessEvent> events)
    {
    }
}

public sealed class ScanFailureFixture() : ServerFixture(DatabaseKind.Sqlite)
{
    public RefusingRecordSink Sink { get; } = new();

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Devices:PairingAttemptsPerMinute", "100000");
        // Long enough that the stalled write below waits out the test's lock rather than failing.
        builder.UseSetting("Database:UnavailableAfterSeconds", "10");
        builder.ConfigureTestServices(services => services.AddSingleton<IAccessEventSink>(Sink));
    }
}

/// <summary>A grant never opens a door without its durable record, and no command goes out past its deadline.</summary>
public sealed class ScanFailureTests(ScanFailureFixture fixture) : IClassFixture<ScanFailureFixture>
{
    private readonly PortierServer _server = fixture.Server;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<AccessScenario> GrantingScenarioAsync()
    {
        var scenario = await AccessScenario.CreateAsync(_server);
        await (await scenario.Admin.PostJsonAsync("/api/v1/grants", new { personId = scenario.PersonId, siteWide = true }))
            .ExpectAsync(HttpStatusCode.Created);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        return scenario;
    }

    private static Task<MQTTnet.MqttClientPublishResult> PresentCardAsync(AccessScenario scenario) =>
        scenario.Device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, AccessScenario.Card), DateTimeOffset.UnixEpoch));

    [Fact]
    public async Task Scan_RecordStepFails_ReaderIsDenied_NothingUnlocks_NothingCounted()
    {
        await using var scenario = await GrantingScenarioAsync();
        fixture.Sink.RefusedDoor = scenario.DoorId;
        try
        {
            await PresentCardAsync(scenario);

            var answer = await scenario.Device.NextCommandAsync();
            Assert.Equal((CommandType.Deny, "internal_error"), (answer.Type, answer.Reason));
        }
        finally
        {
            fixture.Sink.RefusedDoor = null;
        }
        Assert.False(scenario.Device.HasPendingCommand);
        Assert.Empty((await scenario.Admin.GetJsonAsync($"/api/v1/access-events?doorId={scenario.DoorId}")).GetProperty("items").EnumerateArray());
        var commands = (await scenario.Admin.GetJsonAsync($"/api/v1/devices/{scenario.Device.Id}/commands")).GetProperty("items").EnumerateArray();
        Assert.DoesNotContain(commands, c => c.GetProperty("type").GetString() == "unlock");
        // The place the grant took in the zone was given back.
        Assert.Equal(0, (await scenario.Admin.GetJsonAsync($"/api/v1/zones/{scenario.ZoneId}")).GetProperty("currentCount").GetInt32());
    }

    [Fact]
    public async Task Scan_StalledBehindALockedDatabasePastItsDeadline_IsRecordedButItsUnlockNeverSent()
    {
        await using var scenario = await GrantingScenarioAsync();
        await using var other = new SqliteConnection($"Data Source={Path.Combine(_server.DataFolder, "portier.db")};Pooling=False");
        await other.OpenAsync(Ct);
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync(Ct);
        }

        await PresentCardAsync(scenario);
        // The scan waits for the database while the reader's deadline passes.
        await Task.Delay(500, Ct);
        _server.Clock.Advance(TimeSpan.FromSeconds(6));
        await using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync(Ct);
        }

        var attempt = await scenario.SettledEventAsync();
        Assert.True(attempt.GetProperty("allowed").GetBoolean());
        Assert.Equal("not_sent", attempt.GetProperty("outcome").GetString());
        var unlock = Assert.Single((await scenario.Admin.GetJsonAsync($"/api/v1/devices/{scenario.Device.Id}/commands")).GetProperty("items").EnumerateArray(),
            c => c.GetProperty("type").GetString() == "unlock");
        Assert.Equal("not_sent", unlock.GetProperty("status").GetString());
        Assert.Equal(0, scenario.Device.CommandsReceived);
    }
}
