extern alias simulator;

using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Devices;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;
using Portier.Server.Tests.Infrastructure;
using simulator::Portier.Simulator;

namespace Portier.Server.Tests.Devices;

/// <summary>Events a controller decided on its own, uploaded over the embedded broker and stored once each.</summary>
public abstract class OfflineEventsTests(DevicesFixture fixture)
{
    private readonly PortierServer _server = fixture.Server;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private sealed record Site(Guid Id, Guid DoorId, PairedDevice Device, Guid PersonId, Guid CardId);

    private async Task<Site> SiteWithControllerAsync()
    {
        var admin = _server.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await _server.CreateDoorAsync(site);
        var device = await _server.CreatePairedDeviceAsync(door);
        var person = await admin.CreatePersonAsync(site);
        var card = (await (await admin.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = "1001" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        return new Site(site, door, device, person, card);
    }

    /// <summary>Connects as the controller and collects its <c>events-ack</c> messages.</summary>
    private async Task<(TestDevice Device, Channel<long> Acks)> ConnectAsync(PairedDevice paired)
    {
        var device = await _server.ConnectAsync(paired);
        var acks = Channel.CreateUnbounded<long>();
        device.Client.ApplicationMessageReceivedAsync += e =>
        {
            if (DeviceProtocol.TryDeserialize<EventsAckMessage>(e.ApplicationMessage.Payload.ToArray(), out var ack, out _)) acks.Writer.TryWrite(ack.UpTo);
            return Task.CompletedTask;
        };
        await device.Client.SubscribeAsync(DeviceProtocol.Topic(paired.Id, DeviceTopic.EventsAck), MqttQualityOfServiceLevel.AtLeastOnce, Token);
        return (device, acks);
    }

    private static async Task<long> NextAckAsync(Channel<long> acks)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await acks.Reader.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task Upload_SentTwice_StoresEachEventOnceInClockOrderFlaggedWithLiveAndWebhookFlagged()
    {
        var site = await SiteWithControllerAsync();
        await (await _server.Admin().PostJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hooks", eventTypes = new[] { "access.*" }, siteId = site.Id }))
            .ExpectAsync(HttpStatusCode.Created);
        var live = Channel.CreateUnbounded<LiveEvent>();
        using var listening = _server.Services.GetRequiredService<ILiveEventFeed>().Listen(site.Id, e =>
        {
            live.Writer.TryWrite(e);
            return Task.CompletedTask;
        }, () => { });
        var (device, acks) = await ConnectAsync(site.Device);
        await using var _ = device;
        var start = _server.Clock.GetUtcNow().AddMinutes(-30);
        // Numbered as the controller recorded them, but its clock says the denial came first.
        OfflineEvent[] batch =
        [
            new(1, OfflineEventType.Access, start.AddSeconds(2), site.DoorId)
            {
                ReaderId = "reader-1", CredentialKind = CredentialKind.Card, CredentialId = site.CardId, PersonId = site.PersonId,
                Allowed = true, Reason = "granted", Path = "rule", BundleVersion = 4,
            },
            new(2, OfflineEventType.Access, start.AddSeconds(1), site.DoorId)
            {
                ReaderId = "reader-1", CredentialKind = CredentialKind.Card, Allowed = false, Reason = "credential_revoked", Path = "none", BundleVersion = 4,
            },
            new(3, OfflineEventType.Door, start.AddSeconds(60), site.DoorId) { Door = DoorPosition.Open },
            new(4, OfflineEventType.Door, start.AddSeconds(70), site.DoorId) { Door = DoorPosition.Closed },
        ];

        await device.PublishAsync(DeviceTopic.Events, new EventsMessage(batch));
        Assert.Equal(4, await NextAckAsync(acks));
        await device.PublishAsync(DeviceTopic.Events, new EventsMessage(batch));
        Assert.Equal(4, await NextAckAsync(acks));

        var rows = await _server.QueryAsync(db => db.Set<AccessEvent>().Where(e => e.SiteId == site.Id).OrderBy(e => e.Sequence).ToListAsync(Token));
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.True(r.OccurredOffline));
        Assert.Equal([false, true], rows.Select(r => r.Allowed));
        Assert.Equal([start.AddSeconds(1), start.AddSeconds(2)], rows.Select(r => r.At.ToDateTimeOffset()));
        Assert.Equal((site.CardId, site.PersonId, site.Device.Id), (rows[1].CredentialId, rows[1].PersonId, rows[1].DeviceId));
        Assert.Equal("credential_revoked", rows[0].Reason.ToCode());

        var page = await _server.Admin().GetJsonAsync($"/api/v1/access-events?siteId={site.Id}&offline=true");
        Assert.Equal(2, page.Items().Count());
        Assert.All(page.Items(), i => Assert.True(i.GetProperty("occurredOffline").GetBoolean()));
        Assert.Empty((await _server.Admin().GetJsonAsync($"/api/v1/access-events?siteId={site.Id}&offline=false")).Items());
        Assert.True((await _server.Admin().GetJsonAsync($"/api/v1/access-events/verify?siteId={site.Id}")).GetProperty("intact").GetBoolean());

        // A use spent offline counts against the credential like one spent online.
        Assert.Equal(1, (await _server.Admin().GetJsonAsync($"/api/v1/credentials/{site.CardId}")).GetProperty("useCount").GetInt32());
        Assert.Equal(4, await _server.QueryAsync(db => db.Set<ControllerEvent>().CountAsync(e => e.DeviceId == site.Device.Id, Token)));
        var counters = await _server.GetDeviceAsync(site.Device.Id);
        Assert.Equal(4, counters.GetProperty("offlineEventsUploaded").GetInt64());
        Assert.Equal(start.AddSeconds(2), counters.GetProperty("lastOfflineDecisionAt").GetDateTimeOffset());

        // The door opened a minute after the grant's hold time: forced, recorded as over, never raised live.
        var alarm = Assert.Single(await _server.QueryAsync(db => db.Set<Alarm>().Where(a => a.DoorId == site.DoorId).ToListAsync(Token)));
        Assert.Equal((AlarmKind.DoorForcedOpen, start.AddSeconds(60), start.AddSeconds(70)),
            (alarm.Kind, alarm.RaisedAt.ToDateTimeOffset(), alarm.ClearedAt?.ToDateTimeOffset()));

        var heard = new List<LiveEvent>();
        await DeviceKit.EventuallyAsync(() =>
        {
            while (live.Reader.TryRead(out var e)) heard.Add(e);
            return Task.FromResult(heard.Count(e => e.Type is LiveEventTypes.AccessGranted or LiveEventTypes.AccessDenied) == 2);
        }, "both offline attempts on the live stream");
        Assert.All(heard.Where(e => e.Type is LiveEventTypes.AccessGranted or LiveEventTypes.AccessDenied),
            e => Assert.True(((AccessEventResponse)e.Data).OccurredOffline));
        Assert.DoesNotContain(heard, e => e.Type == LiveEventTypes.AlarmRaised);
        var webhooks = await _server.QueryAsync(db => db.Set<WebhookMessage>().Where(m => m.SiteId == site.Id && m.Type.StartsWith("access.")).ToListAsync(Token));
        Assert.Equal(2, webhooks.Count);
        Assert.All(webhooks, m => Assert.Contains("\"occurredOffline\":true", m.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_FiveThousandBufferedEventsFromTheSimulatorsController_StoresAllOnce()
    {
        var site = await SiteWithControllerAsync();
        var kit = new BundleKit(site.Id, site.Device.Id, site.DoorId);
        var files = kit.Files();
        try
        {
            var controller = new OfflineController(site.Device.Id, files, _server.Clock);
            Assert.Null(controller.ApplyBundle(kit.Payload(kit.Body(1))).Error);
            controller.SetClock(_server.Clock.GetUtcNow());
            for (var i = 0; i < OfflineController.BufferLimit; i++)
                controller.Decide(CredentialKind.Card, i % 2 == 0 ? BundleKit.ValidCard : BundleKit.RevokedCard, SimulatedDevice.DefaultReader);
            Assert.Equal(OfflineController.BufferLimit, controller.Buffered);

            await using var device = await SimulatedDevice.ConnectAsync(
                new DeviceCredentials(site.Device.Id, site.Device.Password, "127.0.0.1", _server.MqttPort), _server.Clock, dropAcks: false, Token, controller);
            var watch = Stopwatch.StartNew();
            Assert.True(await device.UploadEventsAsync(TimeSpan.FromSeconds(60), Token));
            watch.Stop();
            TestContext.Current.TestOutputHelper?.WriteLine($"Back-fill of {OfflineController.BufferLimit} events: all stored and acknowledged in {watch.ElapsedMilliseconds} ms");

            Assert.Equal(0, controller.Buffered);
            var stored = await _server.QueryAsync(db => db.Set<AccessEvent>().Where(e => e.SiteId == site.Id && e.OccurredOffline).Select(e => e.At).ToListAsync(Token));
            Assert.Equal(OfflineController.BufferLimit, stored.Count);
            var ledger = await _server.QueryAsync(db => db.Set<ControllerEvent>().Where(e => e.DeviceId == site.Device.Id).Select(e => e.Sequence).ToListAsync(Token));
            Assert.Equal(Enumerable.Range(1, OfflineController.BufferLimit).Select(i => (long)i), ledger.Order());
            Assert.Equal(OfflineController.BufferLimit, (await _server.GetDeviceAsync(site.Device.Id)).GetProperty("offlineEventsUploaded").GetInt64());
        }
        finally
        {
            Directory.Delete(files.Folder, recursive: true);
        }
    }
}

public sealed class SqliteOfflineEventsTests(SqliteDevicesFixture fixture) : OfflineEventsTests(fixture), IClassFixture<SqliteDevicesFixture>;

public sealed class PostgresOfflineEventsTests(PostgresDevicesFixture fixture) : OfflineEventsTests(fixture), IClassFixture<PostgresDevicesFixture>;
