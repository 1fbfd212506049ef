using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Providers;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;
using WebhookReceiver = Portier.Server.Tests.Webhooks.WebhookReceiver;

namespace Portier.Server.Tests.Outbound;

/// <summary>
/// A default installation: URLs of webhooks, access providers and invite channels may not point
/// inside. Only the guard's answer is checked; no test sends anything to a non-loopback address.
/// </summary>
public sealed class OutboundGuardTests(NoOutboundAllowanceFixture fixture) : IClassFixture<NoOutboundAllowanceFixture>
{
    private readonly HttpClient _admin = fixture.Server.Admin();

    public static TheoryData<string> Guarded => ["http://127.0.0.1:9/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook", "http://10.0.0.1/hook"];

    [Theory]
    [MemberData(nameof(Guarded))]
    public async Task SaveProvider_GuardedAddress_Answers400AndSavesNothing(string url)
    {
        var site = await _admin.CreateSiteAsync();
        var problem = await (await _admin.PostJsonAsync("/api/v1/providers", new { siteId = site, name = "Inside", kind = "webhook", url }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "address_not_allowed");
        Assert.Equal("url", problem.GetProperty("field").GetString());
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/providers?siteId={site}"));

        var provider = await (await _admin.PostJsonAsync("/api/v1/providers", new { siteId = site, name = "Outside", kind = "webhook", url = "https://provider.example/hook" }))
            .ExpectAsync(HttpStatusCode.Created);
        await (await _admin.PutJsonAsync($"/api/v1/providers/{provider.Id()}", new { siteId = site, name = "Outside", kind = "webhook", url }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "address_not_allowed");
        Assert.Equal("https://provider.example/hook", (await _admin.GetJsonAsync($"/api/v1/providers/{provider.Id()}")).GetProperty("url").GetString());
    }

    [Theory]
    [MemberData(nameof(Guarded))]
    public async Task SaveChannel_GuardedAddress_Answers400AndSavesNothing(string url)
    {
        var code = $"g_{Guid.NewGuid():N}"[..20];
        var problem = await (await _admin.PostJsonAsync("/api/v1/channels", new
        {
            code, name = "Inside", handler = "webhook",
            configuration = new Dictionary<string, string> { ["url"] = url, ["signingSecret"] = "s3cret", ["authMode"] = "none" },
        })).ExpectProblemAsync(HttpStatusCode.BadRequest, "address_not_allowed");
        Assert.Equal("configuration.url", problem.GetProperty("field").GetString());
        var channels = await _admin.GetJsonAsync("/api/v1/channels?pageSize=200");
        Assert.DoesNotContain(code, channels.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Guarded))]
    public async Task SaveWebhook_GuardedAddress_Answers400AndSavesNothing(string url)
    {
        var site = await _admin.CreateSiteAsync();
        await (await _admin.PostJsonAsync("/api/v1/webhooks", new { url, eventTypes = new[] { "access.*" }, siteId = site }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "address_not_allowed");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/webhooks?siteId={site}"));
    }

    [Fact]
    public async Task TestConnection_ProviderNameResolvingToLoopback_ReportsTheRefusalAndSendsNothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var site = await _admin.CreateSiteAsync();
        // Saved as if "localhost" had resolved elsewhere at the time: the send must still refuse it.
        Guid id;
        using (var scope = fixture.Server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            var provider = new AccessProvider
            {
                SiteId = site, Name = "Rebound", Kind = ProviderKind.Webhook, Url = $"http://localhost:{receiver.Port}/hooks",
                SigningSecret = Portier.Server.Infrastructure.Outbound.StandardWebhooks.NewSecret(),
            };
            db.Add(provider);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            id = provider.Id;
        }

        var result = await (await _admin.PostJsonAsync($"/api/v1/providers/{id}/test", new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal("unhealthy", result.GetProperty("health").GetString(), ignoreCase: true);
        Assert.Contains("not allowed", result.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }
}

/// <summary>Redirects are never followed, so an allowed receiver cannot point a call somewhere else.</summary>
public sealed class OutboundRedirectTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly HttpClient _admin = fixture.Server.Admin();

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("loopback")]
    public async Task Send_ReceiverRedirects_RedirectIsNotFollowed(string target)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var other = await WebhookReceiver.StartAsync();
        var location = target == "loopback" ? other.Url : target;
        receiver.Script.Enqueue(_ => Task.FromResult(Results.Redirect(location, permanent: false, preserveMethod: true)));
        var site = await _admin.CreateSiteAsync();
        var endpoint = (await (await _admin.PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url, eventTypes = new[] { "*" }, siteId = site }))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("endpoint").Id();

        await (await _admin.PostJsonAsync($"/api/v1/webhooks/{endpoint}/test", new { })).ExpectAsync(HttpStatusCode.Accepted);
        await fixture.Server.Services.GetRequiredService<WebhookDispatcher>().DispatchDueAsync(TestContext.Current.CancellationToken);

        var delivery = (await _admin.GetJsonAsync($"/api/v1/webhooks/{endpoint}/deliveries")).GetProperty("items")[0];
        Assert.Equal("http_307", delivery.GetProperty("lastError").GetString());
        Assert.Empty(other.Received);
        Assert.Empty(receiver.Received);
    }
}
