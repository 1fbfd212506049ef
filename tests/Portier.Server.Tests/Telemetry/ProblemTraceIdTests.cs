using System.Diagnostics;
using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Telemetry;

/// <summary>Every problem answer names the trace (or, untraced, the request) an operator can look it up by.</summary>
[Collection(nameof(TelemetryRunsAlone))]
public sealed class ProblemTraceIdTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Problem_NotFound_CarriesTheRequestsTraceId()
    {
        var problem = await (await fixture.Server.Admin().GetAsync($"/api/v1/sites/{Guid.NewGuid()}", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("traceId").GetString()));
    }

    [Fact]
    public async Task Problem_BadRequest_CarriesTheRequestsTraceId()
    {
        var problem = await (await fixture.Server.Admin().PostRawAsync("/api/v1/sites", "{\"name\":"))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_json");

        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("traceId").GetString()));
    }

    [Fact]
    public async Task Problem_TracedRequest_CarriesTheTraceIdOfTheCallersTraceparent()
    {
        using var collector = new SpanCollector("Microsoft.AspNetCore");
        var traceId = ActivityTraceId.CreateRandom();
        var client = fixture.Server.Admin();
        client.DefaultRequestHeaders.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var notFound = await (await client.GetAsync($"/api/v1/sites/{Guid.NewGuid()}", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        var invalid = await (await client.PostJsonAsync("/api/v1/sites", new { name = "", timeZone = "Mars/Olympus" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(traceId.ToHexString(), notFound.GetProperty("traceId").GetString());
        Assert.Equal(traceId.ToHexString(), invalid.GetProperty("traceId").GetString());
    }
}
