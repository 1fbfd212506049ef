using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portier.Core.Devices;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Invites;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.DoorOps;
using Portier.Server.Tests.Events;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;
using Portier.Server.Tests.Webhooks;

namespace Portier.Server.Tests.LiveEvents;

/// <summary>
/// Device, door, alarm, task and invite changes reach a real SignalR client and a real webhook
/// receiver on loopback (signed), end to end from the simulated controller, the task runner and the API.
/// </summary>
public sealed class ChangeAnnouncementTests : IAsyncLifetime
{
    private static readonly string[] Watched =
    [
        LiveEventTypes.DeviceStatusChanged, LiveEventTypes.DoorStateChanged, LiveEventTypes.AlarmRaised, LiveEventTypes.AlarmCleared,
        LiveEventTypes.AlarmAcknowledged, LiveEventTypes.TaskStatusChanged,
    ];

    private PortierServer _server = null!;
    private Webhooks.WebhookReceiver _receiver = null!;
    private HubConnection? _connection;
    private readonly ConcurrentQueue<JsonElement> _live = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite), PortierServer.WithSettings(new Dictionary<string, string?>
        {
            ["Webhooks:Timeout"] = "00:00:02",
        }));
        _receiver = await Webhooks.WebhookReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        await _receiver.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>Subscribes a webhook endpoint and a live client to the site; answers the endpoint's signing secret.</summary>
    private async Task<string> WatchAsync(Guid siteId, params string[] eventTypes)
    {
        var created = await (await _server.Admin().PostJsonAsync("/api/v1/webhooks", new { url = _receiver.Url, eventTypes, siteId }))
            .ExpectAsync(HttpStatusCode.Created);
        _connection = _server.LiveConnection();
        foreach (var type in Watched) _connection.On<JsonElement>(type, e => _live.Enqueue(e));
        await _connection.StartAsync(Ct);
        await _connection.InvokeAsync<JsonElement>("Subscribe", new { siteId }, Ct);
        return created.GetProperty("secret").GetString()!;
    }

    private async Task<JsonElement> LiveAsync(string type, Func<JsonElement, bool> match)
    {
        JsonElement found = default;
        await DeviceKit.EventuallyAsync(() =>
        {
            var hit = _live.Where(e => e.GetProperty("type").GetString() == type && match(e.GetProperty("data"))).ToList();
            if (hit.Count > 0) found = hit[0];
            return Task.FromResult(hit.Count > 0);
        }, $"the live stream carries {type}");
        return found;
    }

    /// <summary>Dispatches until a delivery of <paramref name="type"/> (whose data matches) arrived; answers its data after checking the signature.</summary>
    private async Task<JsonElement> WebhookAsync(string secret, string type, Func<JsonElement, bool>? match = null)
    {
        ReceivedWebhook? hook = null;
        await DeviceKit.EventuallyAsync(async () =>
        {
            await _server.Services.GetRequiredService<WebhookDispatcher>().DispatchDueAsync(Ct);
            hook = _receiver.Received.FirstOrDefault(r => JsonDocument.Parse(r.Body).RootElement is var body
                && body.GetProperty("type").GetString() == type && (match?.Invoke(body.GetProperty("data")) ?? true));
            return hook is not null;
        }, $"the receiver gets {type}");
        Assert.True(StandardWebhooksVerifier.Verify(secret, hook!, _server.Clock.GetUtcNow()), $"{type} is signed with the endpoint's secret");
        return JsonDocument.Parse(hook!.Body).RootElement.GetProperty("data");
    }

    [Fact]
    public async Task DeviceGoesOfflineThenOnline_StreamsBoth_AndSendsSignedDeviceWebhooks()
    {
        await using var scenario = await AccessScenario.CreateAsync(_server);
        var secret = await WatchAsync(scenario.SiteId, "device.*");

        _server.Clock.Advance(DeviceOnline.Window.ToTimeSpan() + TimeSpan.FromSeconds(1));
        await _server.Services.GetServices<IHostedService>().OfType<DeviceStatusMonitor>().Single().RecordOfflineAsync(Ct);

        var offline = await LiveAsync(LiveEventTypes.DeviceStatusChanged, d => !d.GetProperty("online").GetBoolean());
        Assert.Equal(scenario.Device.Id, offline.GetProperty("data").GetProperty("deviceId").GetGuid());
        Assert.Equal(scenario.DoorId, offline.GetProperty("doorId").GetGuid());
        var hook = await WebhookAsync(secret, WebhookEventTypes.DeviceOffline);
        Assert.Equal(scenario.Device.Id, hook.GetProperty("deviceId").GetGuid());
        Assert.False(hook.GetProperty("online").GetBoolean());

        await scenario.HeartbeatAsync();
        await LiveAsync(LiveEventTypes.DeviceStatusChanged, d => d.GetProperty("online").GetBoolean());
        Assert.True((await WebhookAsync(secret, WebhookEventTypes.DeviceOnline)).GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task DoorOpensWithoutAGrant_StreamsStateAndAlarmLifecycle_AndSendsSignedDoorWebhooks()
    {
        await using var scenario = await AccessScenario.CreateAsync(_server);
        var secret = await WatchAsync(scenario.SiteId, "door.*", "alarm.*");

        await scenario.Device.ReportDoorAsync(DoorPosition.Open);

        var state = await LiveAsync(LiveEventTypes.DoorStateChanged, d => d.GetProperty("open").GetBoolean());
        Assert.Equal(scenario.DoorId, state.GetProperty("doorId").GetGuid());
        var alarm = await LiveAsync(LiveEventTypes.AlarmRaised, d => d.GetProperty("kind").GetString() == "door_forced_open");
        Assert.Equal(scenario.DoorId, alarm.GetProperty("data").GetProperty("doorId").GetGuid());
        Assert.True((await WebhookAsync(secret, WebhookEventTypes.DoorStateChanged)).GetProperty("open").GetBoolean());
        Assert.Equal("door_forced_open", (await WebhookAsync(secret, WebhookEventTypes.AlarmRaised)).GetProperty("kind").GetString());
        var alarmId = alarm.GetProperty("data").GetProperty("id").GetGuid();
        await (await _server.Admin().PostJsonAsync($"/api/v1/alarms/{alarmId}/acknowledge", new { })).ExpectAsync(HttpStatusCode.OK);
        await LiveAsync(LiveEventTypes.AlarmAcknowledged, d => d.GetProperty("id").GetGuid() == alarmId && d.GetProperty("acknowledgedBy").GetString() is { Length: > 0 });

        await scenario.Device.ReportDoorAsync(DoorPosition.Closed);
        await LiveAsync(LiveEventTypes.AlarmCleared, d => d.GetProperty("kind").GetString() == "door_forced_open");
        Assert.False((await WebhookAsync(secret, WebhookEventTypes.AlarmCleared)).GetProperty("standing").GetBoolean());
    }

    [Fact]
    public async Task GrantMissedWhileDown_StreamsTaskStatus_AndSendsSignedTaskFailed()
    {
        var e = await EventSetup.CreateAsync(_server);
        var secret = await WatchAsync(e.SiteId, "task.*");
        var ada = await e.PersonAsync();
        var session = await e.SessionAsync(e.Now.AddHours(1));
        await e.AttendAsync(ada);
        await e.PolicyAsync(e.BuiltInZoneId, 0, 0);

        e.Advance(TimeSpan.FromHours(6));
        await e.RunAsync();

        var grant = EventSetup.Of(await e.TasksAsync(session), "grant").Id();
        var streamed = await LiveAsync(LiveEventTypes.TaskStatusChanged, d => d.GetProperty("id").GetGuid() == grant);
        Assert.Equal("failed", streamed.GetProperty("data").GetProperty("status").GetString());
        var failed = await WebhookAsync(secret, WebhookEventTypes.TaskFailed);
        Assert.Equal(grant, failed.GetProperty("id").GetGuid());
        Assert.Equal("missed", failed.GetProperty("failureReason").GetString());
        Assert.Equal("revoke", (await WebhookAsync(secret, WebhookEventTypes.TaskSucceeded)).GetProperty("action").GetString());
    }

    [Fact]
    public async Task InviteCreatedCancelledAcceptedAtAGateAndExpired_SendSignedInviteWebhooks()
    {
        var admin = _server.Admin();
        var setup = await admin.SetUpInvitesAsync();
        var secret = await WatchAsync(setup.SiteId, "invite.*");

        var created = await admin.InviteAsync(setup, name: "Carla Cancelled");
        var createdHook = await WebhookAsync(secret, WebhookEventTypes.InviteCreated);
        Assert.Equal(created.Reference(), createdHook.GetProperty("reference").GetString());
        Assert.Equal(setup.SiteId, createdHook.GetProperty("siteId").GetGuid());
        await (await admin.ActAsync(created.Reference(), "cancel")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("cancelled", (await WebhookAsync(secret, WebhookEventTypes.InviteCancelled)).GetProperty("status").GetString());

        // The first use at a gate accepts the invite.
        var visiting = await admin.InviteAsync(setup, name: "Greta Gate");
        Assert.Equal("granted", await (await _server.GateAsync(admin)).ReasonAsync(setup.GateA, "pin", visiting.Issued("pin")));
        var accepted = await WebhookAsync(secret, WebhookEventTypes.InviteAccepted);
        Assert.Equal((visiting.Reference(), "accepted"), (accepted.GetProperty("reference").GetString(), accepted.GetProperty("status").GetString()));

        var lapsing = await admin.InviteAsync(setup, name: "Eddie Expired");
        _server.Clock.Advance(TimeSpan.FromHours(5));
        await _server.Services.GetRequiredService<InviteExpiry>().ExpireDueAsync(Ct);
        var expired = await WebhookAsync(secret, WebhookEventTypes.InviteExpired, d => d.GetProperty("reference").GetString() == lapsing.Reference());
        Assert.Equal("expired", expired.GetProperty("status").GetString());
    }
}
