using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Credentials;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Credentials;

public abstract class CredentialsApiTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Guid Site, Guid Person)> ArrangeAsync(int minPinLength = 4)
    {
        var site = (await (await _admin.PostJsonAsync("/api/v1/sites", new { name = "Gym", timeZone = "Europe/Berlin", minPinLength }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        return (site, await _admin.CreatePersonAsync(site));
    }

    private Task<HttpResponseMessage> IssueAsync(object body) => _admin.PostJsonAsync("/api/v1/credentials", body);

    [Fact]
    public async Task CreateCard_SeparatorsAndLowerCase_StoresNormalizedNumber()
    {
        var (_, person) = await ArrangeAsync();

        var card = await (await IssueAsync(new { personId = person, kind = "card", value = " 04:a2-3f 9b ", label = "Blue fob", maxUses = 5 }))
            .ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("04A23F9B", card.GetProperty("value").GetString());
        Assert.False(card.GetProperty("hasSecret").GetBoolean());
        Assert.Equal(0, card.GetProperty("useCount").GetInt32());
        Assert.Equal(5, card.GetProperty("maxUses").GetInt32());
        Assert.Equal(card.Id(), (await _admin.GetJsonAsync($"/api/v1/people/{person}/credentials")).Items().Single().Id());
        Assert.Equal(card.Id(), (await _admin.GetJsonAsync("/api/v1/credentials?q=04a23f9b")).Items().Single().Id());
    }

    [Fact]
    public async Task CreateCard_NumberActiveAtSite_Answers409UntilRevoked()
    {
        var (site, person) = await ArrangeAsync();
        var other = await _admin.CreatePersonAsync(site, "Other");
        var first = await (await IssueAsync(new { personId = person, kind = "card", value = "DEADBEEF" })).ExpectAsync(HttpStatusCode.Created);

        await (await IssueAsync(new { personId = other, kind = "card", value = "de:ad:be:ef" })).ExpectProblemAsync(HttpStatusCode.Conflict, "credential_value_taken");
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/credentials?siteId={site}"));

        var revoked = await (await _admin.PostAsync($"/api/v1/credentials/{first.Id()}/revoke", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(revoked.GetProperty("revoked").GetBoolean());
        await (await IssueAsync(new { personId = other, kind = "card", value = "DEADBEEF" })).ExpectAsync(HttpStatusCode.Created);
        await (await IssueAsync(new { personId = other, kind = "barcode", value = "DEADBEEF" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/credentials?siteId={site}&revoked=true"));
    }

    [Fact]
    public async Task CreateCard_SameNumberConcurrently_OneCreatedOthers409()
    {
        var (site, person) = await ArrangeAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => IssueAsync(new { personId = person, kind = "card", value = "C0FFEE" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var conflict in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
            await conflict.ExpectProblemAsync(HttpStatusCode.Conflict, "credential_value_taken");
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/credentials?siteId={site}"));
    }

    [Fact]
    public async Task TrySaveUnique_ActiveKeyRaceAtTheIndex_ReturnsFalseAndWritesNothing()
    {
        var (site, person) = await ArrangeAsync();
        await (await IssueAsync(new { personId = person, kind = "card", value = "BADC0DE" })).ExpectAsync(HttpStatusCode.Created);

        var saved = await server.QueryAsync(db =>
        {
            db.Add(new Credential { SiteId = site, PersonId = person, Kind = Portier.Core.Model.CredentialKind.Card, Value = "BADC0DE", ActiveKey = "BADC0DE" });
            return db.TrySaveUniqueAsync(Ct);
        });

        Assert.False(saved);
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/credentials?siteId={site}"));
    }

    [Fact]
    public async Task CreatePin_ShorterThanSiteMinimum_Answers400PinTooShortAndWritesNothing()
    {
        var (site, person) = await ArrangeAsync(minPinLength: 6);

        await (await IssueAsync(new { personId = person, kind = "pin", pin = "12345" })).ExpectProblemAsync(HttpStatusCode.BadRequest, "pin_too_short");

        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/credentials?siteId={site}"));
        await (await IssueAsync(new { personId = person, kind = "pin", pin = "192837" })).ExpectAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("111111")]
    [InlineData("123456")]
    [InlineData("654321")]
    [InlineData("0000")]
    public async Task CreatePin_Weak_Answers400ValidationFailedAndWritesNothing(string pin)
    {
        var (site, person) = await ArrangeAsync();

        var problem = await (await IssueAsync(new { personId = person, kind = "pin", pin })).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty("pin", out _));
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/credentials?siteId={site}"));
    }

    [Fact]
    public async Task CreatePin_WeakAtSiteThatAllowsWeakPins_IsAccepted()
    {
        var site = (await (await _admin.PostJsonAsync("/api/v1/sites", new { name = "Shed", timeZone = "Europe/Berlin", allowWeakPins = true }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var person = await _admin.CreatePersonAsync(site);

        await (await IssueAsync(new { personId = person, kind = "pin", pin = "1234" })).ExpectAsync(HttpStatusCode.Created);
        Assert.True((await _admin.GetJsonAsync($"/api/v1/sites/{site}")).GetProperty("allowWeakPins").GetBoolean());
    }

    [Theory]
    [InlineData("""{"kind":"pin","pin":"12a4"}""", "pin")]
    [InlineData("""{"kind":"pin","pin":"1234567890123"}""", "pin")]
    [InlineData("""{"kind":"pin","pin":"1234","value":"1234"}""", "value")]
    [InlineData("""{"kind":"card","value":"XYZ"}""", "value")]
    [InlineData("""{"kind":"card"}""", "value")]
    [InlineData("""{"kind":"card","value":"AB","maxUses":0}""", "maxUses")]
    [InlineData("""{"kind":"barcode","value":"A\tB"}""", "value")]
    public async Task CreateCredential_InvalidField_Answers400NamingFieldAndWritesNothing(string fields, string field)
    {
        var (site, person) = await ArrangeAsync();
        var json = $$"""{"personId":"{{person}}",{{fields[1..]}}""";

        var problem = await (await _admin.PostRawAsync("/api/v1/credentials", json)).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/credentials?siteId={site}"));
    }

    [Theory]
    [InlineData("qr")]
    [InlineData("otp")]
    [InlineData("mobile")]
    public async Task CreateCredential_IssuedKind_Answers400KindNotSupported(string kind)
    {
        var (_, person) = await ArrangeAsync();
        await (await IssueAsync(new { personId = person, kind })).ExpectProblemAsync(HttpStatusCode.BadRequest, "kind_not_supported");
    }

    [Fact]
    public async Task CreatePin_ThenEditAndRevoke_PinNeverShownAuditedOrStoredInClear()
    {
        var (site, person) = await ArrangeAsync();
        const string pin = "4711";

        var created = await (await IssueAsync(new { personId = person, kind = "pin", pin })).ExpectAsync(HttpStatusCode.Created);
        var id = created.Id();
        var stored = await server.QueryAsync(db => db.Set<Credential>().AsNoTracking().SingleAsync(c => c.Id == id, Ct));
        await (await _admin.PutJsonAsync($"/api/v1/credentials/{id}", new { label = "Keypad" })).ExpectAsync(HttpStatusCode.OK);
        var listed = await _admin.GetJsonAsync($"/api/v1/people/{person}/credentials");
        await (await _admin.PostAsync($"/api/v1/credentials/{id}/revoke", null, Ct)).ExpectAsync(HttpStatusCode.OK);

        var hash = stored.ActiveKey!;
        Assert.Equal(server.Services.GetRequiredService<PinHasher>().Hash(site, pin), hash);
        Assert.NotEqual(pin, hash);
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pin))), hash);
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{site}:{pin}"))), hash);
        Assert.Null(stored.Value);
        Assert.True(created.GetProperty("hasSecret").GetBoolean());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("value").ValueKind);
        var audit = await _admin.GetJsonAsync($"/api/v1/audit?entityId={id}");
        Assert.Equal(3, audit.GetProperty("total").GetInt32());
        var revokedRow = await server.QueryAsync(db => db.Set<Credential>().AsNoTracking().SingleAsync(c => c.Id == id, Ct));
        Assert.Null(revokedRow.ActiveKey);
        foreach (var text in new[] { created.GetRawText(), listed.GetRawText(), audit.GetRawText(), (await _admin.GetJsonAsync($"/api/v1/credentials/{id}")).GetRawText() })
        {
            Assert.DoesNotContain(pin, text, StringComparison.Ordinal);
            Assert.DoesNotContain(hash, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CreatePin_SamePinAtSameSite_Answers409PinTaken_OtherSiteAllowed()
    {
        var (site, person) = await ArrangeAsync();
        var other = await _admin.CreatePersonAsync(site, "Other");
        await (await IssueAsync(new { personId = person, kind = "pin", pin = "2468" })).ExpectAsync(HttpStatusCode.Created);

        await (await IssueAsync(new { personId = other, kind = "pin", pin = "2468" })).ExpectProblemAsync(HttpStatusCode.Conflict, "pin_taken");

        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/credentials?siteId={site}&kind=pin"));
        Assert.Equal(0, await _admin.TotalAsync($"/api/v1/credentials?siteId={site}&kind=card"));
        await (await _admin.GetAsync($"/api/v1/credentials?kind=fingerprint", Ct)).ExpectProblemAsync(HttpStatusCode.BadRequest, "bad_request");
        var (_, elsewhere) = await ArrangeAsync();
        await (await IssueAsync(new { personId = elsewhere, kind = "pin", pin = "2468" })).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task UpdateCredential_Terms_ChangeWhileNumberStays()
    {
        var (_, person) = await ArrangeAsync();
        var id = (await (await IssueAsync(new { personId = person, kind = "barcode", value = "Ab-123" })).ExpectAsync(HttpStatusCode.Created)).Id();

        var updated = await (await _admin.PutJsonAsync($"/api/v1/credentials/{id}", new
        {
            label = "Day pass", validFrom = "2026-03-02T08:00:00Z", validUntil = "2026-03-02T20:00:00Z", maxUses = 2,
        })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Ab-123", updated.GetProperty("value").GetString());
        Assert.Equal("Day pass", updated.GetProperty("label").GetString());
        Assert.Equal(2, updated.GetProperty("maxUses").GetInt32());
        await (await _admin.PutJsonAsync($"/api/v1/credentials/{id}", new { validFrom = "2026-03-03T00:00:00Z", validUntil = "2026-03-02T00:00:00Z" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task SiteLimitedToken_OtherSitesCredential_Answers404()
    {
        var (mine, _) = await ArrangeAsync();
        var (_, stranger) = await ArrangeAsync();
        var card = (await (await IssueAsync(new { personId = stranger, kind = "card", value = "CAFE" })).ExpectAsync(HttpStatusCode.Created)).Id();
        var limited = server.WithToken(await _admin.CreateTokenAsync(["credentials:read", "credentials:write"], [mine]));

        await (await limited.GetAsync($"/api/v1/credentials/{card}", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PostAsync($"/api/v1/credentials/{card}/revoke", null, Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.GetAsync($"/api/v1/people/{stranger}/credentials", Ct)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await limited.PostJsonAsync("/api/v1/credentials", new { personId = stranger, kind = "card", value = "BEEF" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "unknown_person");
        Assert.False((await _admin.GetJsonAsync($"/api/v1/credentials/{card}")).GetProperty("revoked").GetBoolean());
    }

    [Fact]
    public async Task IssueAndRevoke_TokenWithoutCredentialsWrite_Answer403()
    {
        var (site, person) = await ArrangeAsync();
        var card = (await (await IssueAsync(new { personId = person, kind = "card", value = "F00D" })).ExpectAsync(HttpStatusCode.Created)).Id();
        var reader = server.WithToken(await _admin.CreateTokenAsync(["credentials:read"]));

        await (await reader.PostJsonAsync("/api/v1/credentials", new { personId = person, kind = "card", value = "0BAD" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await reader.PostAsync($"/api/v1/credentials/{card}/revoke", null, Ct)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(1, await _admin.TotalAsync($"/api/v1/credentials?siteId={site}&revoked=false"));
    }
}

public sealed class CredentialsApiSqliteTests(SqliteServerFixture fixture) : CredentialsApiTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class CredentialsApiPostgresTests(PostgresServerFixture fixture) : CredentialsApiTests(fixture.Server), IClassFixture<PostgresServerFixture>;
