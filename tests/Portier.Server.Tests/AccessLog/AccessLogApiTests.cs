using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NodaTime;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.AccessLog;

public abstract class AccessLogApiTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Instant Minute(int m) => Instant.FromDateTimeOffset(server.Clock.GetUtcNow()) + Duration.FromMinutes(m);

    [Fact]
    public async Task ListAccessEvents_Filters_ByDoorPersonOutcomeReasonAndTime()
    {
        var site = await _admin.CreateSiteAsync();
        var front = await _admin.CreateDoorAsync(site, "Front");
        var back = await _admin.CreateDoorAsync(site, "Back");
        var person = Guid.NewGuid();
        await server.AppendAsync(site, front, personId: person, at: Minute(1));
        await server.AppendAsync(site, front, allowed: false, reason: "outside_access_hours", personId: person, at: Minute(2));
        await server.AppendAsync(site, back, allowed: false, at: Minute(3));

        Assert.Equal(3, Items(await _admin.GetJsonAsync($"/api/v1/access-events?siteId={site}")).Count);
        Assert.Equal(2, Items(await _admin.GetJsonAsync($"/api/v1/access-events?doorId={front}")).Count);
        Assert.Equal(2, Items(await _admin.GetJsonAsync($"/api/v1/access-events?personId={person}")).Count);
        Assert.Equal(2, Items(await _admin.GetJsonAsync($"/api/v1/access-events?siteId={site}&outcome=denied")).Count);
        var reason = Items(await _admin.GetJsonAsync($"/api/v1/access-events?siteId={site}&reason=outside_access_hours"));
        Assert.Equal(front, Assert.Single(reason).GetProperty("doorId").GetGuid());
        var from = Uri.EscapeDataString(Minute(2).ToDateTimeOffset().ToString("O"));
        Assert.Equal(2, Items(await _admin.GetJsonAsync($"/api/v1/access-events?siteId={site}&from={from}")).Count);
        await (await _admin.GetAsync($"/api/v1/access-events?outcome=maybe", Ct)).ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_filter");
    }

    [Fact]
    public async Task ListAccessEvents_CursorPaging_WalksBackAndForthWithoutGapsOrRepeats()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        // Several events share a millisecond, so the id must break ties.
        for (var i = 0; i < 7; i++) await server.AppendAsync(site, door, at: Minute(i / 2));

        var seen = new List<Guid>();
        string? next = null;
        var pages = new List<System.Text.Json.JsonElement>();
        do
        {
            var page = await _admin.GetJsonAsync($"/api/v1/access-events?siteId={site}&limit=3" + (next is null ? "" : $"&after={next}"));
            pages.Add(page);
            seen.AddRange(Items(page).Select(e => e.Id()));
            next = page.GetProperty("next").GetString();
        } while (next is not null);

        Assert.Equal(7, seen.Count);
        Assert.Equal(7, seen.Distinct().Count());
        var ats = seen.Count;
        Assert.Equal(3, pages.Count);
        var previous = pages[2].GetProperty("previous").GetString();
        var back = await _admin.GetJsonAsync($"/api/v1/access-events?siteId={site}&limit=3&before={previous}");
        Assert.Equal(seen.Skip(3).Take(3), Items(back).Select(e => e.Id()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, pages[0].GetProperty("previous").ValueKind);
        Assert.Equal(7, ats);
        await (await _admin.GetAsync($"/api/v1/access-events?after=garbage", Ct)).ExpectProblemAsync(HttpStatusCode.BadRequest, "invalid_cursor");
    }

    [Fact]
    public async Task ExportCsv_StreamsMatchingRowsOldestFirstWithQuoting()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        await server.AppendAsync(site, door, at: Minute(1), presented: "=cmd,\"x\"");
        await server.AppendAsync(site, door, allowed: false, at: Minute(2));

        var response = await _admin.GetAsync($"/api/v1/access-events/export.csv?siteId={site}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("id,site_id,sequence,at", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"'=cmd,\"\"x\"\"\"", lines[1], StringComparison.Ordinal);
        Assert.Contains(",true,granted,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",false,no_matching_rule_or_grant,", lines[2], StringComparison.Ordinal);

        // Each code's words for a person, after every code column, which stays where it was.
        var header = lines[0].Split(',');
        var denied = lines[2].Split(',');
        Assert.Equal("No rule or grant allows this person here", denied[Array.IndexOf(header, "reason_label")]);
        Assert.Equal("no_matching_rule_or_grant", denied[Array.IndexOf(header, "reason")]);
        Assert.Equal(["method_label", "reason_label", "outcome_label"], header[^3..]);
        Assert.Equal("companion_person_id", header[^4]);
        Assert.Equal(header.Length, denied.Length);
        Assert.Equal("Nothing sent to the door", denied[Array.IndexOf(header, "outcome_label")]);

        var reader = server.WithToken(await _admin.CreateTokenAsync(["access_log:read"]));
        await (await reader.GetAsync($"/api/v1/access-events/export.csv?siteId={site}", Ct)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Verify_IntactChain_ThenEditedRow_ReportsFirstBrokenLink()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var events = new List<AccessEvent>();
        for (var i = 0; i < 5; i++) events.Add(await server.AppendAsync(site, door, allowed: i % 2 == 0, at: Minute(i)));

        var intact = await _admin.GetJsonAsync($"/api/v1/access-events/verify?siteId={site}");
        Assert.True(intact.GetProperty("intact").GetBoolean());
        Assert.Equal(5, intact.GetProperty("checked").GetInt64());
        Assert.Equal([1L, 2, 3, 4, 5], events.Select(e => e.Sequence));

        // Someone with database access turns a denial into a grant.
        using (var scope = server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            await db.Set<AccessEvent>().Where(e => e.Id == events[3].Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Allowed, true), Ct);
        }

        var broken = await _admin.GetJsonAsync($"/api/v1/access-events/verify?siteId={site}");
        Assert.False(broken.GetProperty("intact").GetBoolean());
        Assert.Equal(4, broken.GetProperty("firstBroken").GetProperty("sequence").GetInt64());
        Assert.Equal(events[3].Id, broken.GetProperty("firstBroken").GetProperty("eventId").GetGuid());
        Assert.Equal("hash_mismatch", broken.GetProperty("firstBroken").GetProperty("problem").GetString());

        var output = new StringWriter();
        Assert.Equal(1, await AccessLogVerifier.RunCommandAsync(server.Services, ["verify", site.ToString()], output));
        Assert.Contains("BROKEN at sequence 4", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_DeletedRow_ReportsSequenceGap()
    {
        var site = await _admin.CreateSiteAsync();
        var door = await _admin.CreateDoorAsync(site);
        var events = new List<AccessEvent>();
        for (var i = 0; i < 3; i++) events.Add(await server.AppendAsync(site, door, at: Minute(i)));
        using (var scope = server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            await db.Set<AccessEvent>().Where(e => e.Id == events[1].Id).ExecuteDeleteAsync(Ct);
        }

        var broken = await _admin.GetJsonAsync($"/api/v1/access-events/verify?siteId={site}");
        Assert.Equal("sequence_gap", broken.GetProperty("firstBroken").GetProperty("problem").GetString());
        Assert.Equal(3, broken.GetProperty("firstBroken").GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task ListAccessEvents_SiteLimitedToken_SeesOnlyItsSites()
    {
        var mine = await _admin.CreateSiteAsync("Mine");
        var other = await _admin.CreateSiteAsync("Other");
        await server.AppendAsync(mine, await _admin.CreateDoorAsync(mine));
        await server.AppendAsync(other, await _admin.CreateDoorAsync(other));
        var limited = server.WithToken(await _admin.CreateTokenAsync(["access_log:read", "access_log:verify"], [mine]));

        var all = Items(await limited.GetJsonAsync("/api/v1/access-events"));
        Assert.All(all, e => Assert.Equal(mine, e.GetProperty("siteId").GetGuid()));
        Assert.Empty(Items(await limited.GetJsonAsync($"/api/v1/access-events?siteId={other}")));
        await (await limited.GetAsync($"/api/v1/access-events/verify?siteId={other}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    private static List<System.Text.Json.JsonElement> Items(System.Text.Json.JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];
}

public sealed class AccessLogApiSqliteTests(SqliteServerFixture fixture) : AccessLogApiTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class AccessLogApiPostgresTests(PostgresServerFixture fixture) : AccessLogApiTests(fixture.Server), IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task RestrictedAppRole_UpdateOrDeleteOfAccessEvents_IsRefusedByPostgres()
    {
        var server = fixture.Server;
        var admin = server.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await admin.CreateDoorAsync(site);
        var e = await server.AppendAsync(site, door, allowed: false);
        var connectionString = server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value.ConnectionString!;
        var role = "portier_app_" + Guid.NewGuid().ToString("N")[..8];
        await using (var owner = new NpgsqlConnection(connectionString))
        {
            await owner.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE ROLE {role} LOGIN; {AccessLogHardening.PostgresAppRoleSql(role)}", owner);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var restricted = new NpgsqlConnectionStringBuilder(connectionString) { Username = role, Pooling = false }.ConnectionString;
        await using var app = new NpgsqlConnection(restricted);
        await app.OpenAsync(TestContext.Current.CancellationToken);
        await using (var read = new NpgsqlCommand("SELECT count(*) FROM access_events", app))
            Assert.True((long)(await read.ExecuteScalarAsync(TestContext.Current.CancellationToken))! >= 1);
        await using var update = new NpgsqlCommand($"UPDATE access_events SET \"Allowed\" = true WHERE \"Id\" = '{e.Id}'", app);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        await using var delete = new NpgsqlCommand("DELETE FROM access_events", app);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege,
            (await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync(TestContext.Current.CancellationToken))).SqlState);
        var verify = await admin.GetJsonAsync($"/api/v1/access-events/verify?siteId={site}");
        Assert.True(verify.GetProperty("intact").GetBoolean());
    }
}
