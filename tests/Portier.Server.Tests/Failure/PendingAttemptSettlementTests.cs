using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Devices;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Failure;

/// <summary>
/// An administrator's override in flight when the process is killed: the attempt is recorded as
/// granted and pending with its unlock command, and neither ack nor deadline is ever recorded. The
/// next start settles both, so nothing stays pending forever.
/// </summary>
public sealed class PendingAttemptSettlementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Restart_AfterAKillMidOverride_SettlesTheAttemptAsTimedOut_AndItsCommand(DatabaseKind kind)
    {
        var database = await TestDatabase.CreateAsync(kind);
        PairedDevice device;
        AccessEvent attempt;
        DeviceCommand command;
        await using (var killed = new PortierServer(database, ownsDatabase: false))
        {
            device = await killed.CreatePairedDeviceAsync();
            var siteId = (await killed.GetDeviceAsync(device.Id)).GetProperty("siteId").GetGuid();
            (attempt, command) = await LeaveOverrideInFlightAsync(killed, siteId, device);
        }

        // The process comes back ten minutes later.
        await using var restarted = new PortierServer(database, start: PortierServer.DefaultStart.AddMinutes(10));
        var admin = restarted.Admin();

        JsonElement recorded = default;
        await DeviceKit.EventuallyAsync(async () =>
        {
            recorded = Assert.Single((await admin.GetJsonAsync($"/api/v1/access-events?doorId={device.DoorId}")).GetProperty("items").EnumerateArray());
            return recorded.GetProperty("outcome").GetString() != "pending";
        }, "the attempt left pending is settled at start-up");
        Assert.Equal(attempt.Id, recorded.Id());
        Assert.True(recorded.GetProperty("allowed").GetBoolean());
        Assert.Equal("timed_out", recorded.GetProperty("outcome").GetString());
        var commands = (await admin.GetJsonAsync($"/api/v1/devices/{device.Id}/commands")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("timed_out", Assert.Single(commands, c => c.Id() == command.Id).GetProperty("status").GetString());
    }

    /// <summary>What the pipeline writes in its record step for a granted override, as one group commit; nothing after it.</summary>
    private static async Task<(AccessEvent, DeviceCommand)> LeaveOverrideInFlightAsync(PortierServer server, Guid siteId, PairedDevice device)
    {
        var now = Instant.FromDateTimeOffset(server.Clock.GetUtcNow());
        var command = new DeviceCommand
        {
            DeviceId = device.Id,
            Type = CommandType.Unlock,
            HoldSeconds = 5,
            SentAt = now,
            Deadline = now + Duration.FromSeconds(5),
        };
        var attempt = new AccessEvent
        {
            SiteId = siteId,
            DoorId = device.DoorId,
            DeviceId = device.Id,
            Method = AccessMethod.AdminOverride,
            At = now,
            Allowed = true,
            Reason = EventReason.Of(ReasonCode.Granted),
            Path = DecisionPath.AdminOverride,
            Outcome = ActuationOutcome.Pending,
        };
        await server.Services.GetRequiredService<AccessEventWriter>().AppendAsync(attempt, [new StoreCommand(command)], Ct);
        return (attempt, command);
    }
}
