using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.AccessLog;

/// <summary>The access log's per-site chain with its head: deleting the newest events is as visible as editing one.</summary>
public abstract class TamperEvidenceTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Guid Site, List<AccessEvent> Events)> SiteWithEventsAsync(int count)
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var events = new List<AccessEvent>();
        for (var i = 0; i < count; i++) events.Add(await server.AppendAsync(site, door, allowed: i % 2 == 0));
        return (site, events);
    }

    private async Task AsOwnerAsync(Func<PortierDbContext, Task> tamper)
    {
        await using var scope = server.Services.CreateAsyncScope();
        await tamper(scope.ServiceProvider.GetRequiredService<PortierDbContext>());
    }

    [Fact]
    public async Task Verify_NewestEventsDeleted_ReportsTheMissingTail()
    {
        var (site, events) = await SiteWithEventsAsync(5);
        var intact = await _admin.GetJsonAsync($"/api/v1/access-events/verify?siteId={site}");
        Assert.True(intact.GetProperty("intact").GetBoolean());
        Assert.Equal(5, intact.GetProperty("head").GetProperty("sequence").GetInt64());
        Assert.Equal(events[4].Hash, intact.GetProperty("head").GetProperty("hash").GetString());

        // Someone with database access removes the two newest attempts: every remaining link still holds.
        var newest = new[] { events[3].Id, events[4].Id };
        await AsOwnerAsync(db => db.Set<AccessEvent>().Where(e => newest.Contains(e.Id)).ExecuteDeleteAsync(Ct));

        var broken = await _admin.GetJsonAsync($"/api/v1/access-events/verify?siteId={site}");
        Assert.False(broken.GetProperty("intact").GetBoolean());
        Assert.Equal(3, broken.GetProperty("checked").GetInt64());
        var link = broken.GetProperty("firstBroken");
        Assert.Equal("missing_tail", link.GetProperty("problem").GetString());
        Assert.Equal(4, link.GetProperty("sequence").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, link.GetProperty("eventId").ValueKind);
        Assert.Equal(5, broken.GetProperty("head").GetProperty("sequence").GetInt64());

        var output = new StringWriter();
        Assert.Equal(1, await AccessLogVerifier.RunCommandAsync(server.Services, ["verify", site.ToString()], output));
        Assert.Contains("BROKEN at sequence 4: missing_tail", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_MiddleEventEditedAndTailDeleted_ReportsTheFirstBrokenLink()
    {
        var (site, events) = await SiteWithEventsAsync(6);
        await AsOwnerAsync(async db =>
        {
            await db.Set<AccessEvent>().Where(e => e.Id == events[2].Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.PersonId, Guid.NewGuid()), Ct);
            await db.Set<AccessEvent>().Where(e => e.Id == events[5].Id).ExecuteDeleteAsync(Ct);
        });

        var link = (await _admin.GetJsonAsync($"/api/v1/access-events/verify?siteId={site}")).GetProperty("firstBroken");
        Assert.Equal("hash_mismatch", link.GetProperty("problem").GetString());
        Assert.Equal(3, link.GetProperty("sequence").GetInt64());
        Assert.Equal(events[2].Id, link.GetProperty("eventId").GetGuid());
    }

    [Fact]
    public async Task Verify_HeadRemoved_ReportsMissingHead_AndTheNextEventContinuesTheChain()
    {
        var (site, events) = await SiteWithEventsAsync(3);
        await AsOwnerAsync(db => db.Set<ChainHead>().Where(h => h.Chain == AccessEventChain.Name && h.ScopeId == site).ExecuteDeleteAsync(Ct));

        var link = (await _admin.GetJsonAsync($"/api/v1/access-events/verify?siteId={site}")).GetProperty("firstBroken");
        Assert.Equal("missing_head", link.GetProperty("problem").GetString());

        // The next event still follows the last one: the chain never forks at 1.
        var door = events[0].DoorId;
        var next = await server.AppendAsync(site, door);
        Assert.True(next.Sequence > 3);
    }

    [Fact]
    public async Task Verify_EventsAppendedAfterTheHeadWasRead_AreLeftForTheNextRun()
    {
        var (site, _) = await SiteWithEventsAsync(2);
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var head = await db.Set<ChainHead>().AsNoTracking().SingleAsync(h => h.Chain == AccessEventChain.Name && h.ScopeId == site, Ct);
        Assert.Equal(2, head.Sequence);
        var door = await db.Set<AccessEvent>().Where(e => e.SiteId == site).Select(e => e.DoorId).FirstAsync(Ct);
        for (var i = 0; i < 3; i++) await server.AppendAsync(site, door);

        var result = await AccessLogVerifier.VerifyAsync(db, site, Ct);
        Assert.True(result.Intact);
        Assert.Equal(5, result.Checked);
        Assert.Equal(5, result.Head!.Sequence);
    }

    /// <summary>
    /// A row written before the chain had heads hashes exactly as it did then: the canonical text of
    /// this event, hashed by the format rows have always been stored with, gives this value.
    /// </summary>
    [Fact]
    public void Compute_KeepsTheFormatOfRowsAlreadyStored()
    {
        var e = new AccessEvent
        {
            Id = Guid.Parse("11111111-1111-1111-1111-111111111111"),
            SiteId = Guid.Parse("22222222-2222-2222-2222-222222222222"),
            DoorId = Guid.Parse("33333333-3333-3333-3333-333333333333"),
            PersonId = Guid.Parse("44444444-4444-4444-4444-444444444444"),
            CredentialKind = CredentialKind.Card,
            PresentedValue = "0A1B",
            Method = AccessMethod.Scan,
            At = Instant.FromUnixTimeMilliseconds(1772442000123),
            Allowed = true,
            Reason = EventReason.Parse("granted"),
            Path = DecisionPath.Rule,
            Outcome = ActuationOutcome.Pending,
            Sequence = 7,
        };
        Assert.Equal("213506c60ec507141ebf82376ec6970502c58ce2967d753bc4c2a501952d5f4d", AccessEventChain.Compute(e, string.Concat(Enumerable.Repeat("ab", 32))));
    }

    [Fact]
    public async Task Verify_SiteLimitedToken_CannotWalkTheAuditChain()
    {
        var mine = await _admin.CreateSiteAsync("Mine");
        var limited = server.WithToken(await _admin.CreateTokenAsync(["audit:read"], [mine]));
        await (await limited.GetAsync("/api/v1/audit/verify", Ct)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}

public sealed class TamperEvidenceSqliteTests(SqliteServerFixture fixture) : TamperEvidenceTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class TamperEvidencePostgresTests(PostgresServerFixture fixture) : TamperEvidenceTests(fixture.Server), IClassFixture<PostgresServerFixture>;
