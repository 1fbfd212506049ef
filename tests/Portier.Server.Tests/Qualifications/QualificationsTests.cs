using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.Webhooks;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Qualifications;

/// <summary>Training prerequisites through the front door: real scans at a door whose scope requires a qualification, the API's checks and the CSV import.</summary>
public abstract class QualificationsTests(PortierServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..6]}";

    private static async Task<Guid> CreateQualificationAsync(HttpClient admin, string name, int? validityDays = null, Guid? siteId = null) =>
        (await (await admin.PostJsonAsync("/api/v1/qualifications", new { name, validityDays, siteId })).ExpectAsync(HttpStatusCode.Created)).Id();

    private static async Task<Guid> RequireAsync(AccessScenario s, Guid qualification) =>
        (await (await s.Admin.PostJsonAsync("/api/v1/scopes", new { siteId = s.SiteId, name = Unique("Workshop"), doorIds = new[] { s.DoorId }, requiredQualificationIds = new[] { qualification } }))
            .ExpectAsync(HttpStatusCode.Created)).Id();

    private static async Task<string> ScanAsync(AccessScenario s)
    {
        var answered = s.AckNextCommandAsync();
        await s.Device.PublishAsync(DeviceTopic.Scan, new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, AccessScenario.Card), DateTimeOffset.UnixEpoch));
        var command = await answered;
        var logged = await s.SettledEventAsync(e => e.GetProperty("at").GetDateTimeOffset() >= s.Server.Clock.GetUtcNow());
        Assert.Equal(logged.GetProperty("allowed").GetBoolean() ? CommandType.Unlock : CommandType.Deny, command.Type);
        return logged.GetProperty("reason").GetString()!;
    }

    private static async Task<JsonElement> ExplainAsync(AccessScenario s) =>
        await (await s.Admin.PostJsonAsync("/api/v1/decisions/explain", new { doorId = s.DoorId, credential = new { kind = "card", value = AccessScenario.Card } }))
            .ExpectAsync(HttpStatusCode.OK);

    private Task<List<string>> AnnouncedAsync(Guid siteId) =>
        server.QueryAsync(db => db.Set<WebhookMessage>().Where(m => m.SiteId == siteId && m.Type.StartsWith("qualification.")).Select(m => m.Type).OrderBy(t => t).ToListAsync(Ct));

    [Fact]
    public async Task Scan_AtADoorRequiringAQualification_IsMissing_GrantedOnceHeld_ExpiredAtItsEnd_RenewedAndRevoked()
    {
        await using var s = await AccessScenario.CreateAsync(server);
        s.SetLocalTime(9);
        await s.HeartbeatAsync();
        await (await s.Admin.PostJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hooks", eventTypes = new[] { "qualification.*" }, siteId = s.SiteId }))
            .ExpectAsync(HttpStatusCode.Created);
        var name = Unique("Laser cutter");
        var laser = await CreateQualificationAsync(s.Admin, name, validityDays: 1);
        await RequireAsync(s, laser);

        Assert.Equal("qualification_missing", await ScanAsync(s));
        var explained = await ExplainAsync(s);
        Assert.Equal("qualification_missing", explained.GetProperty("reason").GetString());
        Assert.Contains($"does not hold {name}", explained.ToString(), StringComparison.Ordinal);

        var granted = await (await s.Admin.PostJsonAsync($"/api/v1/people/{s.PersonId}/qualifications", new { qualificationId = laser, note = "Induction with Sam" }))
            .ExpectAsync(HttpStatusCode.Created);
        var now = s.Server.Clock.GetUtcNow();
        Assert.Equal(now.AddDays(1), granted.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.False(string.IsNullOrEmpty(granted.GetProperty("grantedBy").GetString()));
        Assert.Equal("expiring_soon", granted.GetProperty("state").GetString());
        Assert.Equal("granted", await ScanAsync(s));

        // At the expiry instant the qualification no longer counts, on a scan and in the explainer alike.
        s.Server.Clock.Advance(TimeSpan.FromDays(1));
        await s.HeartbeatAsync();
        Assert.Equal("qualification_expired", await ScanAsync(s));
        explained = await ExplainAsync(s);
        Assert.Equal("qualification_expired", explained.GetProperty("reason").GetString());
        Assert.Contains($"{name} expired at", explained.ToString(), StringComparison.Ordinal);

        // The member app says which training is missing.
        var (member, app) = await s.Server.SignInMemberAsync(s.Admin, s.SiteId);
        await (await s.Admin.PostJsonAsync($"/api/v1/people/{member}/qualifications", new { qualificationId = laser, grantedAt = now.AddDays(-3), expiresAt = now.AddDays(-2) }))
            .ExpectAsync(HttpStatusCode.Created);
        var refused = await (await app.PostJsonAsync($"/api/v1/doors/{s.DoorId}/unlock",
            new { location = new { latitude = AccessScenario.Latitude, longitude = AccessScenario.Longitude, accuracyMeters = 10 } })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("qualification_expired", refused.GetProperty("reason").GetString());
        Assert.Contains(name, refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var mine = (await app.GetJsonAsync("/api/v1/app/qualifications")).EnumerateArray().ToList();
        Assert.Equal((name, "expired"), (mine.Single().GetProperty("name").GetString(), mine.Single().GetProperty("state").GetString()));

        var renewed = await (await s.Admin.PostJsonAsync($"/api/v1/people/{s.PersonId}/qualifications", new { qualificationId = laser }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.True(renewed.GetProperty("expiresAt").GetDateTimeOffset() > s.Server.Clock.GetUtcNow());
        Assert.Equal("granted", await ScanAsync(s));

        await (await s.Admin.RemoveAsync($"/api/v1/people/{s.PersonId}/qualifications/{laser}")).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal("qualification_missing", await ScanAsync(s));
        Assert.Empty((await s.Admin.GetJsonAsync($"/api/v1/people/{s.PersonId}/qualifications")).EnumerateArray());

        var held = granted.Id();
        var actions = (await s.Admin.GetJsonAsync($"/api/v1/audit?entityId={held}")).GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["deleted", "updated", "created"], actions);
        Assert.Equal([WebhookEventTypes.QualificationGranted, WebhookEventTypes.QualificationGranted, WebhookEventTypes.QualificationGranted, WebhookEventTypes.QualificationRevoked],
            await AnnouncedAsync(s.SiteId));
    }

    [Fact]
    public async Task Api_RefusesBadInputWithStableCodes()
    {
        await using var s = await AccessScenario.CreateAsync(server);
        var name = Unique("Welding");
        var welding = await CreateQualificationAsync(s.Admin, name);
        await (await s.Admin.PostJsonAsync("/api/v1/qualifications", new { name = $"  {name} " })).ExpectProblemAsync(HttpStatusCode.Conflict, "qualification_name_taken");
        await (await s.Admin.PostJsonAsync("/api/v1/qualifications", new { name = "Zero", validityDays = 0 })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await s.Admin.PostJsonAsync("/api/v1/scopes", new { siteId = s.SiteId, name = Unique("Bad"), requiredQualificationIds = new[] { Guid.NewGuid() } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_qualification");
        await (await s.Admin.PostJsonAsync($"/api/v1/people/{s.PersonId}/qualifications", new { qualificationId = Guid.NewGuid() }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_qualification");
        await (await s.Admin.PostJsonAsync($"/api/v1/people/{s.PersonId}/qualifications", new { qualificationId = welding, grantedAt = s.Server.Clock.GetUtcNow().AddDays(1) }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "granted_in_future");
        await (await s.Admin.PostJsonAsync($"/api/v1/people/{s.PersonId}/qualifications", new { qualificationId = welding, grantedAt = s.Server.Clock.GetUtcNow(), expiresAt = s.Server.Clock.GetUtcNow() }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await s.Admin.RemoveAsync($"/api/v1/people/{s.PersonId}/qualifications/{welding}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");

        // A required qualification is not deleted from under its doors; once no longer required it goes with its holdings.
        var scope = await RequireAsync(s, welding);
        await (await s.Admin.RemoveAsync($"/api/v1/qualifications/{welding}")).ExpectProblemAsync(HttpStatusCode.Conflict, "qualification_required");
        var door = await s.Admin.GetJsonAsync($"/api/v1/scopes/{scope}");
        Assert.Equal(welding, door.GetProperty("requiredQualificationIds")[0].GetGuid());
        await (await s.Admin.PutJsonAsync($"/api/v1/scopes/{scope}", new { siteId = s.SiteId, name = door.GetProperty("name").GetString(), doorIds = new[] { s.DoorId }, requiredQualificationIds = Array.Empty<Guid>() }))
            .ExpectAsync(HttpStatusCode.OK);
        await (await s.Admin.PostJsonAsync($"/api/v1/people/{s.PersonId}/qualifications", new { qualificationId = welding })).ExpectAsync(HttpStatusCode.Created);
        await (await s.Admin.RemoveAsync($"/api/v1/qualifications/{welding}")).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Empty((await s.Admin.GetJsonAsync($"/api/v1/people/{s.PersonId}/qualifications")).EnumerateArray());
    }

    [Fact]
    public async Task Import_DryRunPreviewsEveryRow_AFileWithErrorsWritesNothing_ACleanFileGrantsAndRenews()
    {
        await using var s = await AccessScenario.CreateAsync(server);
        var name = Unique("Forklift");
        var forklift = await CreateQualificationAsync(s.Admin, name, validityDays: 365);
        var ext = "ext-" + Guid.NewGuid().ToString("N")[..8];
        var email = $"{Guid.NewGuid():N}@example.org";
        var withExternalId = (await (await s.Admin.PostJsonAsync("/api/v1/people", new { siteId = s.SiteId, name = "Ada", personType = "Member", membershipStatus = "Current", externalId = ext }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var withEmail = await s.CreatePersonAsync("Member", "Current", email);
        await (await s.Admin.PostJsonAsync($"/api/v1/people/{withEmail}/qualifications", new { qualificationId = forklift })).ExpectAsync(HttpStatusCode.Created);

        var good = $"externalId,email,qualification,grantedAt,expiresAt,note\n{ext},,{name},2026-01-10,2026-12-31,first aid course\n,{email.ToUpperInvariant()},{name.ToUpperInvariant()},,,\n";
        var bad = good + "nobody,,Juggling,2030-01-01,,\n";
        async Task<HttpResponseMessage> PostAsync(string csv, bool dryRun) =>
            await s.Admin.PostAsync($"/api/v1/qualifications/import?siteId={s.SiteId}&dryRun={dryRun.ToString().ToLowerInvariant()}", new StringContent(csv, Encoding.UTF8, "text/csv"), Ct);

        var preview = await (await PostAsync(bad, dryRun: true)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((1, 1, 1, false), (preview.GetProperty("granted").GetInt32(), preview.GetProperty("renewed").GetInt32(), preview.GetProperty("failed").GetInt32(), preview.GetProperty("written").GetBoolean()));
        var errorRow = preview.GetProperty("rows")[2];
        Assert.Equal(4, errorRow.GetProperty("row").GetInt32());
        Assert.Equal(3, errorRow.GetProperty("errors").GetArrayLength());

        var refused = await (await PostAsync(bad, dryRun: false)).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "import_rows_invalid");
        Assert.Equal(4, refused.GetProperty("rows")[0].GetProperty("row").GetInt32());
        Assert.Empty((await s.Admin.GetJsonAsync($"/api/v1/people/{withExternalId}/qualifications")).EnumerateArray());

        var imported = await (await PostAsync(good, dryRun: false)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(imported.GetProperty("written").GetBoolean());
        var held = (await s.Admin.GetJsonAsync($"/api/v1/people/{withExternalId}/qualifications")).EnumerateArray().Single();
        // Dates are the site's (New York) days: granted at the start of 10 January, valid through 31 December.
        Assert.Equal(new DateTimeOffset(2026, 1, 10, 5, 0, 0, TimeSpan.Zero), held.GetProperty("grantedAt").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 5, 0, 0, TimeSpan.Zero), held.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal("first aid course", held.GetProperty("note").GetString());
        var renewed = (await s.Admin.GetJsonAsync($"/api/v1/people/{withEmail}/qualifications")).EnumerateArray().Single();
        Assert.Equal(s.Server.Clock.GetUtcNow().AddDays(365), renewed.GetProperty("expiresAt").GetDateTimeOffset());

        await (await s.Admin.PostAsync($"/api/v1/qualifications/import?siteId={s.SiteId}", new StringContent("name\nx\n", Encoding.UTF8, "text/csv"), Ct))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "missing_column");
    }
}

public sealed class QualificationsSqliteTests(SqliteUnlocksFixture fixture) : QualificationsTests(fixture.Server), IClassFixture<SqliteUnlocksFixture>;

public sealed class QualificationsPostgresTests(PostgresUnlocksFixture fixture) : QualificationsTests(fixture.Server), IClassFixture<PostgresUnlocksFixture>;
