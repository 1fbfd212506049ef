using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Audit;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.AccessLog;

/// <summary>The admin audit trail is one hash chain with its own head; each test has a database of its own, since the chain spans it.</summary>
public sealed class AuditChainTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<PortierServer> StartAsync(DatabaseKind kind)
    {
        var server = new PortierServer(await TestDatabase.CreateAsync(kind));
        _ = server.Server;
        return server;
    }

    private static async Task<long> EntriesAsync(PortierServer server)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<AuditEntry>().LongCountAsync(Ct);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task ConcurrentChanges_AreChainedWithoutGapsOrForks(DatabaseKind kind)
    {
        await using var server = await StartAsync(kind);
        var admin = server.Admin();
        var site = await admin.CreateSiteAsync();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => admin.CreateDoorAsync(site, $"Door {i}")));

        var verified = await admin.GetJsonAsync("/api/v1/audit/verify");
        Assert.True(verified.GetProperty("intact").GetBoolean());
        var entries = await EntriesAsync(server);
        Assert.True(entries >= 21);
        Assert.Equal(entries, verified.GetProperty("checked").GetInt64());
        Assert.Equal(entries, verified.GetProperty("head").GetProperty("sequence").GetInt64());
        Assert.Equal(0, verified.GetProperty("unchained").GetInt64());
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Verify_NewestEntryDeleted_ThenAnEntryEdited_ReportsMissingTail_ThenTheFirstBrokenLink(DatabaseKind kind)
    {
        await using var server = await StartAsync(kind);
        var admin = server.Admin();
        var site = await admin.CreateSiteAsync();
        for (var i = 0; i < 3; i++) await admin.CreateDoorAsync(site, $"Door {i}");
        var newest = await EntriesAsync(server);
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();

        // Someone with database access removes the record of the last change.
        await db.Set<AuditEntry>().Where(a => a.Sequence == newest).ExecuteDeleteAsync(Ct);
        var tail = await admin.GetJsonAsync("/api/v1/audit/verify");
        Assert.False(tail.GetProperty("intact").GetBoolean());
        Assert.Equal("missing_tail", tail.GetProperty("firstBroken").GetProperty("problem").GetString());
        Assert.Equal(newest, tail.GetProperty("firstBroken").GetProperty("sequence").GetInt64());

        // ...and rewrites who made the second one.
        var second = await db.Set<AuditEntry>().AsNoTracking().SingleAsync(a => a.Sequence == 2, Ct);
        await db.Set<AuditEntry>().Where(a => a.Id == second.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Actor, "someone-else"), Ct);
        var edited = await admin.GetJsonAsync("/api/v1/audit/verify");
        var link = edited.GetProperty("firstBroken");
        Assert.Equal("hash_mismatch", link.GetProperty("problem").GetString());
        Assert.Equal(2, link.GetProperty("sequence").GetInt64());
        Assert.Equal(second.Id, link.GetProperty("entryId").GetGuid());

        var output = new StringWriter();
        Assert.Equal(1, await AccessLogVerifier.RunCommandAsync(server.Services, ["verify"], output));
        Assert.Contains($"audit trail: BROKEN at sequence 2 (entry {second.Id}): hash_mismatch", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WithoutAuditPermission_IsForbidden()
    {
        await using var server = await StartAsync(DatabaseKind.Sqlite);
        var reader = server.WithToken(await server.Admin().CreateTokenAsync(["access_log:verify"]));
        await (await reader.GetAsync("/api/v1/audit/verify", Ct)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
