using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Webhooks;

/// <summary>The default configuration: no loopback, private or metadata targets, on save or on send.</summary>
public sealed class WebhookGuardTests(NoOutboundAllowanceFixture fixture) : IClassFixture<NoOutboundAllowanceFixture>
{
    private readonly HttpClient _admin = fixture.Server.Admin();

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://172.20.0.1/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://0.0.0.0/hook")]
    public async Task CreateWebhook_GuardedAddress_Answers400AndSavesNothing(string url)
    {
        var site = await _admin.CreateSiteAsync();
        var problem = await (await _admin.PostJsonAsync("/api/v1/webhooks", new { url, eventTypes = new[] { "access.*" }, siteId = site }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "address_not_allowed");
        Assert.Equal("url", problem.GetProperty("field").GetString());
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/webhooks?siteId={site}"));
    }

    [Fact]
    public async Task Send_EndpointThatBecameLoopback_IsRefusedAtConnect()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        Guid endpointId;
        // As if the name resolved to a public address when saved and to loopback now.
        using (var scope = fixture.Server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            var endpoint = new WebhookEndpoint { SiteId = site, Url = receiver.Url, EventTypes = ["*"], Secret = StandardWebhooks.NewSecret() };
            db.Add(endpoint);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            endpointId = endpoint.Id;
        }

        await fixture.Server.AppendAsync(site, door);
        await fixture.Server.Services.GetRequiredService<WebhookDispatcher>().DispatchDueAsync(TestContext.Current.CancellationToken);

        Assert.Empty(receiver.Received);
        var delivery = (await _admin.GetJsonAsync($"/api/v1/webhooks/{endpointId}/deliveries")).GetProperty("items")[0];
        Assert.Equal("address_not_allowed", delivery.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task WebhooksApi_SiteLimitedTokenOrMissingPermission_IsRefused()
    {
        var mine = await _admin.CreateSiteAsync();
        var limited = fixture.Server.WithToken(await _admin.CreateTokenAsync(["webhooks:read", "webhooks:write"], [mine]));
        var reader = fixture.Server.WithToken(await _admin.CreateTokenAsync(["webhooks:read"]));

        await (await limited.PostJsonAsync("/api/v1/webhooks", new { url = "https://example.com/h", eventTypes = new[] { "*" } }))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await reader.PostJsonAsync("/api/v1/webhooks", new { url = "https://example.com/h", eventTypes = new[] { "*" }, siteId = mine }))
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("task.failed", (await reader.GetJsonAsync("/api/v1/webhooks/event-types")).EnumerateArray().Select(t => t.GetString()));
    }
}
