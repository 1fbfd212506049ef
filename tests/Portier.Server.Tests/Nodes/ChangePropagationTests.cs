using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Changes;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Nodes;

/// <summary>
/// A definition changed through one node reaches the other within a second (LISTEN/NOTIFY), a change
/// whose announcement was lost is caught by the version check, and a node that cannot listen says so.
/// </summary>
public sealed class ChangePropagationTests(ScenarioNodesFixture nodes) : IClassFixture<ScenarioNodesFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every node learns of every committed change within this bound.</summary>
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Revoke_ThroughNodeA_IsRefusedByADecisionOnNodeB_WithinASecond()
    {
        await using var scenario = await AccessScenario.CreateAsync(nodes.A);
        await AllowedOnBAsync(scenario);

        await (await nodes.A.Admin().PostAsync($"/api/v1/credentials/{scenario.CardId}/revoke", null, Ct)).ExpectAsync(HttpStatusCode.OK);

        await WithinAsync(Propagation, async () => (await ExplainOnBAsync(scenario)).GetProperty("reason").GetString() == "credential_revoked",
            "node B refuses the card revoked through node A");
    }

    [Fact]
    public async Task Revoke_ThroughNodeA_IsPatchedIntoNodeBsPolicy_NotRebuilt()
    {
        await using var scenario = await AccessScenario.CreateAsync(nodes.A);
        await CaughtUpOnBAsync(scenario);
        var policy = nodes.B.Services.GetRequiredService<Portier.Server.Features.Decisions.PolicySnapshotStore>();
        var (rebuilds, patches) = (policy.Rebuilds, policy.Patches);

        await (await nodes.A.Admin().PostAsync($"/api/v1/credentials/{scenario.CardId}/revoke", null, Ct)).ExpectAsync(HttpStatusCode.OK);

        await WithinAsync(Propagation, async () => (await ExplainOnBAsync(scenario)).GetProperty("reason").GetString() == "credential_revoked",
            "node B refuses the card revoked through node A");
        Assert.Equal(rebuilds, policy.Rebuilds);
        Assert.True(policy.Patches > patches, "node B applied the revoked card's row to its policy");
    }

    [Fact]
    public async Task Token_RevokedThroughNodeA_IsRefusedOnNodeB_WithinASecond()
    {
        var created = await (await nodes.A.Admin().PostJsonAsync("/api/v1/tokens", new { name = "both nodes", permissions = new[] { "sites:read" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var onB = nodes.B.WithToken(created.GetProperty("token").GetString()!);
        await onB.GetJsonAsync("/api/v1/sites");
        await onB.GetJsonAsync("/api/v1/sites");
        Assert.True(nodes.B.Services.GetRequiredService<PrincipalCache>().Count > 0, "node B holds the token's principal in memory");

        await (await nodes.A.Admin().DeleteAsync($"/api/v1/tokens/{created.GetProperty("details").Id()}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        // Well inside the version check's interval: the announcement is what reaches node B.
        await WithinAsync(Propagation, async () => (await onB.GetAsync("/api/v1/sites", Ct)).StatusCode == HttpStatusCode.Unauthorized,
            "node B refuses the token revoked through node A");
    }

    [Fact]
    public async Task Door_AddedThroughNodeA_IsKnownOnNodeB()
    {
        var directory = nodes.B.Services.GetRequiredService<DoorDirectory>();
        await directory.GetAsync(Ct);
        var site = await nodes.A.Admin().CreateSiteAsync("Door added elsewhere");

        var door = await nodes.A.Admin().CreateDoorAsync(site, "Side door");

        await WithinAsync(Propagation, async () => (await directory.GetAsync(Ct)).Door(door) is not null, "node B's door directory holds the new door");
    }

    [Fact]
    public async Task Device_PairedOnNodeA_IsRecognisedByNodeB()
    {
        await using var scenario = await AccessScenario.CreateAsync(nodes.A);
        var directory = nodes.B.Services.GetRequiredService<DoorDirectory>();
        await directory.GetAsync(Ct);
        var sideDoor = await scenario.Admin.CreateDoorAsync(scenario.SiteId, "Side door", scenario.ZoneId);

        var paired = await nodes.A.CreatePairedDeviceAsync(sideDoor);

        await WithinAsync(Propagation, async () => (await directory.GetAsync(Ct)).Controller(paired.Id) is not null,
            "node B's directory holds the controller paired through node A");
        await using var device = await nodes.B.ConnectAsync(paired);
        await device.HeartbeatAsync();
        await DeviceKit.EventuallyAsync(async () => (await nodes.B.GetDeviceAsync(paired.Id)).GetProperty("online").GetBoolean(), "the controller is online");
        await device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, AccessScenario.Card), DateTimeOffset.UnixEpoch));
        Assert.Equal(CommandType.Unlock, (await device.NextCommandAsync()).Type);
    }

    [Fact]
    public async Task VersionCheck_CatchesAChangeWhoseAnnouncementWasLost()
    {
        await using var scenario = await AccessScenario.CreateAsync(nodes.A);
        await using var direct = await nodes.Nodes.OpenDirectAsync();
        await CaughtUpOnBAsync(scenario);

        // Revoked behind both nodes' backs, the version moved, and no notice sent: as if it were lost.
        await using (var revoke = new NpgsqlCommand("""
            UPDATE credentials SET "Revoked" = true WHERE "Id" = @id;
            UPDATE definition_versions SET "Version" = "Version" + 1 WHERE "Name" = 'policy';
            """, direct))
        {
            revoke.Parameters.AddWithValue("id", scenario.CardId);
            await revoke.ExecuteNonQueryAsync(Ct);
        }
        Assert.True((await ExplainOnBAsync(scenario)).GetProperty("allowed").GetBoolean());

        nodes.B.Clock.Advance(TimeSpan.FromSeconds(ScenarioNodesFixture.VersionCheckSeconds));

        await DeviceKit.EventuallyAsync(async () => (await ExplainOnBAsync(scenario)).GetProperty("reason").GetString() == "credential_revoked",
            "node B's version check finds the moved version and rebuilds its policy");
        Assert.NotNull(nodes.B.Changes().LastChecked);
    }

    [Fact]
    public async Task Readiness_WhileTheListeningConnectionIsDown_SaysTheNodeIsNotCurrent_UntilItReconnects()
    {
        var changes = nodes.B.Changes();
        Assert.Equal("Healthy", await ReadinessAsync(nodes.B));
        Assert.Equal(1, ChangesCurrentGauge(nodes.B));

        await using (var direct = await nodes.Nodes.OpenDirectAsync())
        await using (var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @name", direct))
        {
            kill.Parameters.AddWithValue("name", NodeNoticeListener.ApplicationNamePrefix + changes.NodeId);
            Assert.Equal(true, await kill.ExecuteScalarAsync(Ct));
        }

        await DeviceKit.EventuallyAsync(async () => await ReadinessAsync(nodes.B) == "Degraded", "node B's readiness says it is not current");
        Assert.Equal(0, ChangesCurrentGauge(nodes.B));
        Assert.Equal("Healthy", await ReadinessAsync(nodes.A));

        // The reconnect waits on the node's clock.
        await DeviceKit.EventuallyAsync(async () =>
        {
            nodes.B.Clock.Advance(TimeSpan.FromSeconds(1));
            return await ReadinessAsync(nodes.B) == "Healthy";
        }, "node B listens again and is current");
        Assert.Equal(1, ChangesCurrentGauge(nodes.B));
    }

    /// <summary>
    /// Every notice of the scenario's own changes has reached node B and been built, and B allows its card: no
    /// notice still on its way can rebuild B's policy by chance after this.
    /// </summary>
    private async Task CaughtUpOnBAsync(AccessScenario scenario)
    {
        await using var direct = await nodes.Nodes.OpenDirectAsync();
        await DeviceKit.EventuallyAsync(async () => nodes.B.Changes().CaughtUpWith("policy") == await PolicyVersionAsync(direct),
            "node B has caught up with the policy's version");
        await AllowedOnBAsync(scenario);
    }

    /// <summary>Node B allows the scenario's card: it has learnt of the scenario made through node A.</summary>
    private async Task AllowedOnBAsync(AccessScenario scenario) =>
        await DeviceKit.EventuallyAsync(async () => (await ExplainOnBAsync(scenario)).GetProperty("allowed").GetBoolean(), "node B allows the card");

    private static async Task<long> PolicyVersionAsync(NpgsqlConnection direct)
    {
        await using var read = new NpgsqlCommand("""SELECT "Version" FROM definition_versions WHERE "Name" = 'policy'""", direct);
        return (long)(await read.ExecuteScalarAsync(Ct))!;
    }

    private async Task<JsonElement> ExplainOnBAsync(AccessScenario scenario) =>
        await (await nodes.B.Admin().PostJsonAsync("/api/v1/decisions/explain",
            new { doorId = scenario.DoorId, credential = new { kind = "card", value = AccessScenario.Card } })).ExpectAsync(HttpStatusCode.OK);

    private static async Task<string> ReadinessAsync(PortierServer node)
    {
        var response = await node.Anonymous().GetAsync("/health/ready", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>The node's <c>portier.node.changes_current</c> gauge, read from its own meter.</summary>
    private static int ChangesCurrentGauge(PortierServer node) => (int)node.Gauges()["portier.node.changes_current"];

    /// <summary>Polls until the condition holds, failing once <paramref name="bound"/> has passed since the call.</summary>
    private static async Task WithinAsync(TimeSpan bound, Func<Task<bool>> condition, string because)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < bound, $"Not within {bound.TotalSeconds:0.#} s: {because}");
            await Task.Delay(10, Ct);
        }
    }
}
