using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Webhooks;

/// <summary>
/// Outages that last hours and days, on the fake clock: the clock is stepped and each step runs a
/// dispatcher pass to completion (<see cref="WebhookDispatcher.DispatchDueAsync"/>, under the same gate
/// as the background loop), so nothing races the clock. Receivers are real HTTP servers on loopback.
/// </summary>
public abstract class WebhookLongFaultTests(DatabaseKind kind) : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Webhooks:Timeout"] = "00:00:01",
        // The background loop only wakes for new deliveries; the steps below run every pass that matters.
        ["Webhooks:PollInterval"] = "01:00:00",
    };

    private PortierServer _server = null!;
    private WebhookReceiver _receiver = null!;
    private HttpClient _admin = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new PortierServer(await TestDatabase.CreateAsync(kind), PortierServer.WithSettings(Settings));
        _admin = _server.Admin();
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ReceiverDownSixHours_TenThousandEventsQueued_EachDeliveredOnceAfterTheRetrySchedule()
    {
        var site = await _admin.CreateSiteAsync();
        var endpoint = await SubscribeAsync(site, _receiver.Url, "access.*");
        var start = _server.Clock.GetUtcNow();
        var recoverAt = start.AddHours(6);
        // 10,000 events while the receiver is down: 1,000 every 36 minutes from the start.
        var batches = new Queue<DateTimeOffset>(Enumerable.Range(0, 10).Select(k => start.AddMinutes(36 * k)));
        await _receiver.DownAsync();
        var queued = 0;

        while (true)
        {
            var head = await HeadAsync(endpoint);
            if (head is { Status: DeliveryStatus.Succeeded }) break;
            var due = head?.NextAttemptAt.ToDateTimeOffset() ?? batches.Peek();
            Assert.True(due < start.AddHours(9), "the head delivery is retried within the schedule");
            while (batches.TryPeek(out var at) && at <= due)
            {
                _server.Clock.SetUtcNow(at);
                batches.Dequeue();
                await QueueAsync(site, queued, 1000);
                queued += 1000;
                await DispatchAsync();
            }
            if (_server.Clock.GetUtcNow() < recoverAt && recoverAt < due)
            {
                _server.Clock.SetUtcNow(recoverAt);
                await _receiver.UpAsync();
                await DispatchAsync();
            }
            head = await HeadAsync(endpoint);
            if (head!.NextAttemptAt.ToDateTimeOffset() > _server.Clock.GetUtcNow())
            {
                // Nothing goes out a millisecond early; at the instant it is due, exactly one attempt does.
                var attempts = await AttemptTimesAsync(head.Id);
                _server.Clock.SetUtcNow(head.NextAttemptAt.ToDateTimeOffset().AddMilliseconds(-1));
                await DispatchAsync();
                Assert.Equal(attempts, await AttemptTimesAsync(head.Id));
                _server.Clock.SetUtcNow(head.NextAttemptAt.ToDateTimeOffset());
            }
            await DispatchAsync();
        }
        while (await DispatchAsync() > 0)
        {
        }

        Assert.Equal(10_000, queued);
        var received = _receiver.Received.ToList();
        Assert.Equal(Enumerable.Range(0, 10_000), received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("sequence").GetInt32()));
        Assert.Equal(10_000, received.Select(r => r.Id).Distinct().Count());

        // The head was tried on the schedule (each wait within its ±10 % jitter) and succeeded on the first try after recovery.
        var first = await HeadAsync(endpoint);
        var times = await AttemptTimesAsync(first!.Id);
        Assert.Equal(6, times.Count);
        for (var i = 0; i < times.Count - 1; i++)
        {
            var wait = (times[i + 1] - times[i]).TotalMilliseconds;
            var planned = WebhookDelivery.RetrySchedule[i].TotalMilliseconds;
            Assert.InRange(wait, planned * 0.9, planned * 1.1);
        }
        Assert.True(times[^2] < Instant.FromDateTimeOffset(recoverAt) && times[^1] > Instant.FromDateTimeOffset(recoverAt));

        // Every other delivery was held back behind the head and sent exactly once.
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        Assert.Equal(10_000, await db.Set<WebhookDelivery>().CountAsync(d => d.EndpointId == endpoint && d.Status == DeliveryStatus.Succeeded, Ct));
        Assert.Equal(10_000 + 5, await db.Set<WebhookAttempt>().CountAsync(a => a.EndpointId == endpoint, Ct));
        var read = await _admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}");
        Assert.True(read.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, read.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("failingSince").ValueKind);
    }

    [Fact]
    public async Task EndpointFailingFiveDays_IsDisabledWithAnAlarm_ADeliveryOutOfRetriesFailsAlone()
    {
        var site = await _admin.CreateSiteAsync();
        var endpoint = await SubscribeAsync(site, _receiver.Url, "access.*");
        await using var watcher = await WebhookReceiver.StartAsync();
        await SubscribeAsync(site, watcher.Url, "alarm.*");
        var live = new ConcurrentQueue<LiveEvent>();
        using var listening = _server.Services.GetRequiredService<ILiveEventFeed>().Listen(site, e =>
        {
            live.Enqueue(e);
            return Task.CompletedTask;
        }, () => { });
        for (var i = 0; i < 200; i++) _receiver.Script.Enqueue(_ => Task.FromResult(Results.StatusCode(503)));
        var start = _server.Clock.GetUtcNow();
        await QueueAsync(site, 0, 10);

        // Hour by hour: each delivery runs out of retries after about 27 hours and fails alone, the next one
        // goes on failing, and five days after the first failure the endpoint is disabled.
        DateTimeOffset? disabledAt = null;
        var firstFailedWhileEnabled = false;
        while (_server.Clock.GetUtcNow() < start.AddDays(6))
        {
            await DispatchAsync();
            var read = await _admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}");
            var deliveries = await DeliveriesAsync(endpoint);
            if (read.GetProperty("enabled").GetBoolean())
            {
                Assert.True(_server.Clock.GetUtcNow() < start.AddDays(5).AddHours(11), "still enabled long after five days of failures");
                firstFailedWhileEnabled |= deliveries[^1].GetProperty("status").GetString() == "failed";
            }
            else
            {
                disabledAt = read.GetProperty("disabledAt").GetDateTimeOffset();
                Assert.Equal("failing", read.GetProperty("disabledReason").GetString());
                break;
            }
            _server.Clock.Advance(TimeSpan.FromHours(1));
        }
        Assert.True(firstFailedWhileEnabled, "a delivery that ran out of retries failed while the endpoint stayed enabled");
        Assert.NotNull(disabledAt);
        Assert.InRange(disabledAt.Value - start, TimeSpan.FromDays(5), TimeSpan.FromDays(5) + TimeSpan.FromHours(11));
        Assert.Empty(_receiver.Received);

        // Admins are alerted: the alarms page, the live stream and webhooks, and the audited disable.
        var alarm = Assert.Single((await _admin.GetJsonAsync($"/api/v1/alarms?siteId={site}")).GetProperty("items").EnumerateArray());
        Assert.Equal(("webhook_endpoint_disabled", endpoint, true), (alarm.GetProperty("kind").GetString(), alarm.GetProperty("subjectId").GetGuid(), alarm.GetProperty("standing").GetBoolean()));
        Assert.Contains(_receiver.Url, alarm.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(live, e => e.Type == LiveEventTypes.AlarmRaised);
        await DispatchAsync();
        var raised = JsonDocument.Parse(Assert.Single(watcher.Received).Body).RootElement;
        Assert.Equal(("alarm.raised", "webhook_endpoint_disabled"), (raised.GetProperty("type").GetString(), raised.GetProperty("data").GetProperty("kind").GetString()));
        var audit = await _admin.GetJsonAsync($"/api/v1/audit?entityId={endpoint}");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), a => a.GetProperty("actor").GetString() == "system");

        // Fixed and enabled: the alarm clears, the held deliveries go out, the failed ones can be replayed.
        _receiver.Script.Clear();
        await (await _admin.PostJsonAsync($"/api/v1/webhooks/{endpoint}/enable", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.False((await _admin.GetJsonAsync($"/api/v1/alarms?siteId={site}")).GetProperty("items")[0].GetProperty("standing").GetBoolean());
        foreach (var failed in (await DeliveriesAsync(endpoint)).Where(d => d.GetProperty("status").GetString() == "failed"))
            await (await _admin.PostJsonAsync($"/api/v1/webhooks/{endpoint}/deliveries/{failed.GetProperty("id").GetInt64()}/replay", new { })).ExpectAsync(HttpStatusCode.Accepted);
        await DispatchAsync();
        Assert.Equal(Enumerable.Range(0, 10), _receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("sequence").GetInt32()).Order());
        Assert.Contains(live, e => e.Type == LiveEventTypes.AlarmCleared);
    }

    private async Task<Guid> SubscribeAsync(Guid site, string url, string eventTypes) =>
        (await (await _admin.PostJsonAsync("/api/v1/webhooks", new { url, eventTypes = new[] { eventTypes }, siteId = site }))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("endpoint").Id();

    /// <summary>Queues events numbered from <paramref name="first"/> through the outbox, as a feature's save does.</summary>
    private async Task QueueAsync(Guid site, int first, int count)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var at = Instant.FromDateTimeOffset(_server.Clock.GetUtcNow());
        await _server.Services.GetRequiredService<WebhookOutbox>().AddAsync(db,
            [.. Enumerable.Range(first, count).Select(n => new WebhookEvent(WebhookEventTypes.AccessGranted, site, at, new { sequence = n }))], Ct);
        await db.SaveChangesAsync(Ct);
    }

    private Task<int> DispatchAsync() => _server.Services.GetRequiredService<WebhookDispatcher>().DispatchDueAsync(Ct);

    /// <summary>The endpoint's oldest delivery: the one every other waits behind.</summary>
    private async Task<WebhookDelivery?> HeadAsync(Guid endpoint)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<WebhookDelivery>().AsNoTracking()
            .Where(d => d.EndpointId == endpoint).OrderBy(d => d.Id).FirstOrDefaultAsync(Ct);
    }

    private async Task<List<Instant>> AttemptTimesAsync(long delivery)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<WebhookAttempt>().AsNoTracking()
            .Where(a => a.DeliveryId == delivery).OrderBy(a => a.Id).Select(a => a.At).ToListAsync(Ct);
    }

    private async Task<JsonElement[]> DeliveriesAsync(Guid endpoint) =>
        [.. (await _admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}/deliveries?pageSize=100")).GetProperty("items").EnumerateArray()];
}

public sealed class WebhookLongFaultSqliteTests() : WebhookLongFaultTests(DatabaseKind.Sqlite);

public sealed class WebhookLongFaultPostgresTests() : WebhookLongFaultTests(DatabaseKind.Postgres);
