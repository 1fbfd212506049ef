using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Webhooks;
using Portier.Server.Tests.Infrastructure;
using SlowReceiver = Portier.Server.Tests.Infrastructure.WebhookReceiver;

namespace Portier.Server.Tests.SharedWork;

/// <summary>Two nodes on one PostgreSQL database dispatch the deliveries of a receiver that answers after 1.5 s.</summary>
public sealed class WebhookNodesTests
{
    private const int Events = 20;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwentyEvents_SlowReceiver_TwoNodesDispatching_EachDeliveredOnceInOrder()
    {
        await using var nodes = await ServerNodes.StartAsync(new NodeSetup { Settings = new Dictionary<string, string?> { ["Webhooks:AllowLoopback"] = "true" } });
        await using var receiver = new SlowReceiver { Delay = TimeSpan.FromSeconds(1.5) };
        var admin = nodes.A.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await admin.CreateDoorAsync(site);
        var endpoint = (await (await admin.PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url, eventTypes = new[] { "access.*" }, siteId = site }))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("endpoint").Id();
        var events = new List<Guid>();
        // The first node's dispatcher wakes at each commit; both nodes are asked for passes over and over as well.
        for (var i = 0; i < Events; i++) events.Add((await nodes.A.AppendAsync(site, door)).Id);

        async Task<JsonElement[]> DeliveriesAsync() =>
            [.. (await admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}/deliveries?pageSize=100")).GetProperty("items").EnumerateArray()];
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while ((await DeliveriesAsync()).Any(d => d.GetProperty("status").GetString() != "succeeded"))
        {
            await Task.WhenAll(Dispatch(nodes.A), Dispatch(nodes.B));
            Assert.True(DateTime.UtcNow < deadline, "every delivery is sent within three minutes");
        }

        Assert.Equal(events, receiver.Calls.Select(c => JsonDocument.Parse(c.Body).RootElement.GetProperty("data").GetProperty("id").GetGuid()));
        var deliveries = await DeliveriesAsync();
        Assert.Equal(Events, deliveries.Length);
        Assert.All(deliveries, d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
    }

    private static Task<int> Dispatch(PortierServer node) => node.Services.GetRequiredService<WebhookDispatcher>().DispatchDueAsync(Token);
}
