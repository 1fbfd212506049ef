using System.Net;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.People;
using Portier.Server.Features.Zones;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Unlocks;

/// <summary>The explainer answers every reason code the decision can give, with the checks that led there.</summary>
public abstract class ExplainApiTests(PortierServer server)
{
    private static readonly object Centre = new { latitude = AccessScenario.Latitude, longitude = AccessScenario.Longitude, accuracyMeters = 5 };

    [Theory]
    [InlineData("granted")]
    [InlineData("unknown_person")]
    [InlineData("invalid_credential")]
    [InlineData("credential_revoked")]
    [InlineData("expired")]
    [InlineData("max_uses_reached")]
    [InlineData("access_disabled")]
    [InlineData("blocklisted")]
    [InlineData("door_blocked")]
    [InlineData("door_force_closed")]
    [InlineData("lockdown")]
    [InlineData("outside_access_hours")]
    [InlineData("no_matching_rule_or_grant")]
    [InlineData("ticket_type_required")]
    [InlineData("capacity_exceeded")]
    [InlineData("location_unavailable")]
    [InlineData("gps_too_imprecise")]
    [InlineData("outside_geofence")]
    [InlineData("device_offline")]
    public async Task Explain_EachSituation_AnswersItsReasonCode(string expected)
    {
        await using var s = await AccessScenario.CreateAsync(server);
        s.SetLocalTime(12);
        await s.HeartbeatAsync();
        var admin = s.Admin;
        object body = new { doorId = s.DoorId, personId = s.PersonId };
        var card = new { doorId = s.DoorId, credential = new { kind = "card", value = AccessScenario.Card } };
        switch (expected)
        {
            case "granted":
                break;
            case "unknown_person":
                body = new { doorId = s.DoorId, personId = await admin.CreatePersonAsync(await admin.CreateSiteAsync(), personType: "Member", membershipStatus: "Current") };
                break;
            case "invalid_credential":
                body = new { doorId = s.DoorId, credential = new { kind = "card", value = "DEAD" } };
                break;
            case "credential_revoked":
                await (await admin.PostJsonAsync($"/api/v1/credentials/{s.CardId}/revoke", new { })).ExpectAsync(HttpStatusCode.OK);
                body = card;
                break;
            case "expired":
                var now = server.Clock.GetUtcNow();
                await (await admin.PostJsonAsync("/api/v1/credentials", new { personId = s.PersonId, kind = "card", value = "BEEF01", validFrom = now.AddDays(-2), validUntil = now.AddDays(-1) }))
                    .ExpectAsync(HttpStatusCode.Created);
                body = new { doorId = s.DoorId, credential = new { kind = "card", value = "BEEF01" } };
                break;
            case "max_uses_reached":
                await (await admin.PutJsonAsync($"/api/v1/credentials/{s.CardId}", new { maxUses = 1 })).ExpectAsync(HttpStatusCode.OK);
                await server.QueryAsync(db => db.Set<Credential>().Where(c => c.Id == s.CardId).ExecuteUpdateAsync(u => u.SetProperty(c => c.UseCount, 1), TestContext.Current.CancellationToken));
                body = card;
                break;
            case "access_disabled":
                await (await admin.PutJsonAsync($"/api/v1/people/{s.PersonId}/access", new { enabled = false })).ExpectAsync(HttpStatusCode.OK);
                break;
            case "blocklisted":
                await (await admin.PutJsonAsync($"/api/v1/people/{s.PersonId}", new { siteId = s.SiteId, name = "Person Member", personType = "Member", membershipStatus = "Current", blocklisted = true }))
                    .ExpectAsync(HttpStatusCode.OK);
                break;
            case "door_blocked":
                await (await admin.PutJsonAsync($"/api/v1/doors/{s.DoorId}", new { siteId = s.SiteId, name = "Front door", zoneId = s.ZoneId, blockAllAccess = true })).ExpectAsync(HttpStatusCode.OK);
                break;
            case "door_force_closed":
                await (await admin.PutJsonAsync($"/api/v1/doors/{s.DoorId}/maintenance", new { mode = "force_closed" })).ExpectAsync(HttpStatusCode.OK);
                break;
            case "lockdown":
                var plan = (await (await admin.PostJsonAsync("/api/v1/lockdowns", new { siteId = s.SiteId, name = "Drill", target = "doors", doorIds = new[] { s.DoorId } }))
                    .ExpectAsync(HttpStatusCode.Created)).Id();
                await (await admin.PostJsonAsync($"/api/v1/lockdowns/{plan}/start", new { })).ExpectAsync(HttpStatusCode.OK);
                break;
            case "outside_access_hours":
                body = new { doorId = s.DoorId, personId = s.PersonId, at = server.Clock.GetUtcNow().AddHours(11) };
                break;
            case "no_matching_rule_or_grant":
                body = new { doorId = s.DoorId, personId = await s.CreatePersonAsync("Guest", "Current") };
                break;
            case "ticket_type_required":
                await (await admin.PutJsonAsync($"/api/v1/zones/{s.ZoneId}", new { siteId = s.SiteId, name = "Main hall", admittedPersonTypes = new[] { "VIP" } })).ExpectAsync(HttpStatusCode.OK);
                break;
            case "capacity_exceeded":
                await (await admin.PutJsonAsync($"/api/v1/zones/{s.ZoneId}", new { siteId = s.SiteId, name = "Main hall", capacity = 1 })).ExpectAsync(HttpStatusCode.OK);
                await server.QueryAsync(db => db.Set<Zone>().Where(z => z.Id == s.ZoneId).ExecuteUpdateAsync(u => u.SetProperty(z => z.CurrentCount, 1), TestContext.Current.CancellationToken));
                break;
            case "location_unavailable":
                body = new { doorId = s.DoorId, personId = s.PersonId, appUnlock = true };
                break;
            case "gps_too_imprecise":
                body = new { doorId = s.DoorId, personId = s.PersonId, appUnlock = true, location = new { latitude = AccessScenario.Latitude, longitude = AccessScenario.Longitude, accuracyMeters = 80 } };
                break;
            case "outside_geofence":
                body = new { doorId = s.DoorId, personId = s.PersonId, appUnlock = true, location = new { latitude = AccessScenario.Latitude + 0.01, longitude = AccessScenario.Longitude, accuracyMeters = 5 } };
                break;
            case "device_offline":
                server.Clock.Advance(TimeSpan.FromMinutes(6));
                body = new { doorId = s.DoorId, personId = s.PersonId, appUnlock = true, location = Centre };
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(expected), expected, null);
        }

        var answer = await (await admin.PostJsonAsync("/api/v1/decisions/explain", body)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(expected, answer.GetProperty("reason").GetString());
        Assert.Equal(expected == "granted", answer.GetProperty("allowed").GetBoolean());
        var checks = answer.GetProperty("checks").EnumerateArray().ToList();
        Assert.NotEmpty(checks);
        if (expected != "granted")
            Assert.Equal(expected, checks[^1].GetProperty("reason").GetString());
        else
            Assert.All(checks, c => Assert.NotEqual("failed", c.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task Explain_IsADryRun_ThatCountsNoUseAndLogsNothing()
    {
        await using var s = await AccessScenario.CreateAsync(server, cardMaxUses: 1);
        s.SetLocalTime(12);
        await s.HeartbeatAsync();

        for (var i = 0; i < 2; i++)
        {
            var answer = await (await s.Admin.PostJsonAsync("/api/v1/decisions/explain", new { doorId = s.DoorId, credential = new { kind = "card", value = AccessScenario.Card } }))
                .ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("granted", answer.GetProperty("reason").GetString());
        }
        Assert.Empty((await s.Admin.GetJsonAsync($"/api/v1/access-events?doorId={s.DoorId}")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task AccessReviews_ListWhoCanPassAndWhichDoorsAPersonCanPass()
    {
        await using var s = await AccessScenario.CreateAsync(server);
        var guest = await s.CreatePersonAsync("Guest", "Current");
        s.SetLocalTime(12);
        var at = Uri.EscapeDataString(server.Clock.GetUtcNow().ToString("O"));

        var who = await s.Admin.GetJsonAsync($"/api/v1/decisions/who-can-pass?doorId={s.DoorId}&at={at}");
        Assert.Equal([s.PersonId], who.GetProperty("items").EnumerateArray().Select(p => p.Id()));
        var doors = await s.Admin.GetJsonAsync($"/api/v1/decisions/doors-for?personId={s.PersonId}&at={at}");
        Assert.Equal([s.DoorId], doors.GetProperty("items").EnumerateArray().Select(d => d.Id()));
        Assert.Equal(0, (await s.Admin.GetJsonAsync($"/api/v1/decisions/doors-for?personId={guest}&at={at}")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Explain_WithoutPermissionOrForAnotherSitesDoor_IsRefused()
    {
        await using var s = await AccessScenario.CreateAsync(server);
        var body = new { doorId = s.DoorId, personId = s.PersonId };
        await (await server.WithToken(await s.Admin.CreateTokenAsync(["doors:read"])).PostJsonAsync("/api/v1/decisions/explain", body))
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var otherSite = await s.Admin.CreateSiteAsync();
        await (await server.WithToken(await s.Admin.CreateTokenAsync(["decisions:explain"], [otherSite])).PostJsonAsync("/api/v1/decisions/explain", body))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await s.Admin.PostJsonAsync("/api/v1/decisions/explain", new { doorId = s.DoorId })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }
}

public sealed class ExplainApiSqliteTests(SqliteUnlocksFixture fixture) : ExplainApiTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class ExplainApiPostgresTests(PostgresUnlocksFixture fixture) : ExplainApiTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
