using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Occupancy;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Occupancy;

public abstract class OccupancyTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private OccupancyService Occupancy => server.Services.GetRequiredService<OccupancyService>();

    [Fact]
    public async Task TryEnter_300ConcurrentAtCapacity100_ExactlyHundredPass()
    {
        var zone = await _admin.CreateZoneAsync(await _admin.CreateSiteAsync(), "Hall", capacity: 100);

        // 64 racing at a time: more than that only queues for the connection pool (100), and on a loaded
        // machine a queue of 300 outwaits the pool's bounded wait, which is not what this test is about.
        using var racing = new SemaphoreSlim(64);
        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => Task.Run(async () =>
        {
            await racing.WaitAsync(TestContext.Current.CancellationToken);
            try { return await Occupancy.TryEnterAsync(zone, TestContext.Current.CancellationToken); }
            finally { racing.Release(); }
        })));

        Assert.Equal(100, results.Count(r => r));
        var read = await _admin.GetJsonAsync($"/api/v1/zones/{zone}");
        Assert.Equal(100, read.GetProperty("currentCount").GetInt32());
        Assert.Equal(0, read.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task ExitThenEnter_FreesAPlace_AndExitAtZeroStaysZero()
    {
        var zone = await _admin.CreateZoneAsync(await _admin.CreateSiteAsync(), "Booth", capacity: 1);
        var ct = TestContext.Current.CancellationToken;

        Assert.True(await Occupancy.TryEnterAsync(zone, ct));
        Assert.False(await Occupancy.TryEnterAsync(zone, ct));
        Assert.True(await Occupancy.ExitAsync(zone, ct));
        Assert.False(await Occupancy.ExitAsync(zone, ct));
        Assert.True(await Occupancy.TryEnterAsync(zone, ct));
        Assert.False(await Occupancy.TryEnterAsync(Guid.NewGuid(), ct));
        Assert.Equal(1, (await _admin.GetJsonAsync($"/api/v1/zones/{zone}")).GetProperty("currentCount").GetInt32());
    }

    [Fact]
    public async Task CorrectOccupancy_SetsCountAndIsAudited()
    {
        var site = await _admin.CreateSiteAsync();
        var zone = await _admin.CreateZoneAsync(site, "Yard", capacity: 50);
        await Occupancy.TryEnterAsync(zone, TestContext.Current.CancellationToken);

        var corrected = await (await _admin.PutJsonAsync($"/api/v1/zones/{zone}/occupancy", new { count = 12, note = "head count at noon" }))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(12, corrected.GetProperty("currentCount").GetInt32());
        var audit = await _admin.GetJsonAsync($"/api/v1/audit?entityId={zone}");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), a => a.GetProperty("after").GetString()!.Contains("\"CurrentCount\":12", StringComparison.Ordinal));
        await (await _admin.PutJsonAsync($"/api/v1/zones/{zone}/occupancy", new { count = -1 })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var reader = server.WithToken(await _admin.CreateTokenAsync(["zones:read"]));
        await (await reader.PutJsonAsync($"/api/v1/zones/{zone}/occupancy", new { count = 0 })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}

public sealed class OccupancySqliteTests(SqliteServerFixture fixture) : OccupancyTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class OccupancyPostgresTests(PostgresServerFixture fixture) : OccupancyTests(fixture.Server), IClassFixture<PostgresServerFixture>;
