using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Telemetry;

[Collection(nameof(TelemetryRunsAlone))]
public sealed class MetricsEndpointTests(PrometheusFixture fixture) : IClassFixture<PrometheusFixture>
{
    [Fact]
    public async Task Metrics_TelemetryOff_AnswersNotFound()
    {
        await using var server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite));

        var response = await server.Anonymous().GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Start_ShortScrapeToken_FailsNamingTheSetting()
    {
        await using var server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite), PortierServer.WithSettings(
            new Dictionary<string, string?> { ["Telemetry:Prometheus:Enabled"] = "true", ["Telemetry:Prometheus:ScrapeToken"] = "short" }));

        var failure = Assert.ThrowsAny<Exception>(() => server.Server);

        Assert.Contains("Telemetry:Prometheus:ScrapeToken", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_WithoutOrWithAWrongScrapeToken_AreRefused()
    {
        var anonymous = fixture.Server.Anonymous();
        await (await anonymous.GetAsync("/metrics", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "metrics_token_required");
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PrometheusFixture.ScrapeToken + "x");
        await (await anonymous.GetAsync("/metrics", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "metrics_token_required");
        // The admin's API token is not the scrape token.
        await (await fixture.Server.Admin().GetAsync("/metrics", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "metrics_token_required");
    }

    [Fact]
    public async Task Metrics_WithTheScrapeToken_AreServedInPrometheusTextFormat()
    {
        var scrape = await fixture.ScrapeAsync();

        Assert.Contains("# TYPE portier_commands_pending gauge", scrape.Text, StringComparison.Ordinal);
        Assert.True(scrape.Has("portier_commands_pending"), scrape.Text);
    }

    [Fact]
    public async Task Metrics_NoScrapeToken_AreServedToLoopbackCallersOnly()
    {
        var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        await using var server = new PortierServer(database, PortierServer.WithSettings(new Dictionary<string, string?> { ["Telemetry:Prometheus:Enabled"] = "true" }));

        // The in-memory test server gives no caller address: not this machine, so refused.
        await (await server.Anonymous().GetAsync("/metrics", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "metrics_loopback_only");

        // Over real HTTP on 127.0.0.1 the caller is this machine.
        await using var kestrel = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite),
            PortierServer.WithSettings(new Dictionary<string, string?> { ["Telemetry:Prometheus:Enabled"] = "true" }));
        kestrel.UseKestrel(PortierServer.FreePort());
        kestrel.StartServer();
        using var client = kestrel.CreateClient();
        var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("portier_commands_pending", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
