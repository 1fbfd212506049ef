using System.Text.Json;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Webhooks;

/// <summary>The background dispatcher with a small per-pass limit and a poll interval the test clock never reaches.</summary>
public abstract class WebhookBacklogTests(DatabaseKind kind) : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Webhooks:MaxPerEndpointPerPass"] = "3",
        ["Webhooks:PollInterval"] = "01:00:00",
    };

    private PortierServer _server = null!;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _server = new PortierServer(await TestDatabase.CreateAsync(kind), PortierServer.WithSettings(Settings));
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task BacklogLongerThanOnePass_GoesOutAtOnce_NotAPassPerPollInterval()
    {
        var admin = _server.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await admin.CreateDoorAsync(site);
        await (await admin.PostJsonAsync("/api/v1/webhooks", new { url = _receiver.Url, eventTypes = new[] { "access.*" }, siteId = site }))
            .ExpectAsync(System.Net.HttpStatusCode.Created);
        await _receiver.DownAsync();
        var events = new List<Guid>();
        for (var i = 0; i < 10; i++) events.Add((await _server.AppendAsync(site, door)).Id);

        // Back up, and past the first retry's wait; the next event wakes the dispatcher once.
        await _receiver.UpAsync();
        _server.Clock.Advance(TimeSpan.FromSeconds(6));
        events.Add((await _server.AppendAsync(site, door)).Id);

        // Eleven deliveries at three a pass: only passes that follow each other at once deliver them all.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_receiver.Received.Count < events.Count && waited.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(events, _receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("id").GetGuid()));
    }
}

public sealed class WebhookBacklogSqliteTests() : WebhookBacklogTests(DatabaseKind.Sqlite);

public sealed class WebhookBacklogPostgresTests() : WebhookBacklogTests(DatabaseKind.Postgres);
