using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Invites;

/// <summary>Signed QR passes at the gate: only an untampered pass, signed by this site's live key, for this gate, in its window, within its uses.</summary>
public abstract class QrPassTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    private static string Part(string pass, int index) => pass.Split('.')[index];

    private static JsonElement Decode(string part) => JsonDocument.Parse(Base64Url.DecodeFromChars(part)).RootElement.Clone();

    private static string Encode(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    private static async Task<JsonElement> ValidateQrAsync(HttpClient gate, Guid pointOfEntry, string pass) =>
        await (await gate.ValidateAsync(pointOfEntry, "qr", pass)).ExpectAsync(HttpStatusCode.OK);

    private static async Task AssertRefusedAsync(HttpClient gate, Guid pointOfEntry, string pass, string reason, string detail)
    {
        var answer = await ValidateQrAsync(gate, pointOfEntry, pass);
        Assert.False(answer.GetProperty("allowed").GetBoolean());
        Assert.Equal(reason, answer.GetProperty("reason").GetString());
        Assert.Equal(detail, answer.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Pass_CarriesInviteSiteDoorsWindowAndNonce_AndVerifiesWithThePublishedKey()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var result = await _admin.InviteAsync(setup);
        var pass = result.Issued("qr");
        var header = Decode(Part(pass, 0));
        var payload = Decode(Part(pass, 1));
        Assert.Equal("EdDSA", header.GetProperty("alg").GetString());
        Assert.Equal(result.Reference(), payload.GetProperty("ref").GetString());
        Assert.Equal(setup.SiteId, payload.GetProperty("site").GetGuid());
        Assert.Equal([setup.GateA], payload.GetProperty("doors").EnumerateArray().Select(d => d.GetGuid()));
        Assert.True(payload.GetProperty("exp").GetInt64() > payload.GetProperty("nbf").GetInt64());
        Assert.True(payload.GetProperty("n").GetString()!.Length >= 20);

        // What a gate does offline: fetch the site's public keys once, then verify locally.
        var gate = await server.GateAsync(_admin);
        var keys = await gate.GetJsonAsync($"/api/v1/access/qr-keys?siteId={setup.SiteId}");
        var key = keys.EnumerateArray().First(k => k.GetProperty("keyId").GetString() == header.GetProperty("kid").GetString());
        var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, Base64Url.DecodeFromChars(key.GetProperty("publicKey").GetString()!), KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(publicKey, Encoding.ASCII.GetBytes($"{Part(pass, 0)}.{Part(pass, 1)}"), Base64Url.DecodeFromChars(Part(pass, 2))));
    }

    [Fact]
    public async Task TamperedPayload_IsRefusedOnItsSignature()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var gate = await server.GateAsync(_admin);
        var pass = (await _admin.InviteAsync(setup)).Issued("qr");
        var payload = Decode(Part(pass, 1));
        var widened = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(payload.GetRawText())!;
        widened["doors"] = JsonSerializer.SerializeToElement(new[] { setup.GateA, setup.GateB });
        widened["exp"] = JsonSerializer.SerializeToElement(payload.GetProperty("exp").GetInt64() + 86_400 * 365);
        await AssertRefusedAsync(gate, setup.GateB, $"{Part(pass, 0)}.{Encode(widened)}.{Part(pass, 2)}", "invalid_credential", "bad_signature");
        // Not even unreadable garbage in the payload is looked at before the signature.
        await AssertRefusedAsync(gate, setup.GateA, $"{Part(pass, 0)}.{Encode("not a pass")}.{Part(pass, 2)}", "invalid_credential", "bad_signature");
        var signature = Part(pass, 2).ToCharArray();
        signature[5] = signature[5] == 'A' ? 'B' : 'A';
        await AssertRefusedAsync(gate, setup.GateA, $"{Part(pass, 0)}.{Part(pass, 1)}.{new string(signature)}", "invalid_credential", "bad_signature");
        await AssertRefusedAsync(gate, setup.GateA, "not-a-pass", "invalid_credential", "malformed");
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", pass));
    }

    [Fact]
    public async Task AlgNone_WrongKey_AndAnotherSitesKey_AreRefused()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var otherSite = await _admin.SetUpInvitesAsync(site: "Other site");
        var gate = await server.GateAsync(_admin);
        var pass = (await _admin.InviteAsync(setup)).Issued("qr");
        var kid = Decode(Part(pass, 0)).GetProperty("kid").GetString();

        await AssertRefusedAsync(gate, setup.GateA, $"{Encode(new { alg = "none", kid })}.{Part(pass, 1)}.", "invalid_credential", "malformed");
        await AssertRefusedAsync(gate, setup.GateA, $"{Encode(new { alg = "none", kid })}.{Part(pass, 1)}.AA", "invalid_credential", "unsupported_algorithm");
        await AssertRefusedAsync(gate, setup.GateA, $"{Encode(new { alg = "HS256", kid })}.{Part(pass, 1)}.{Part(pass, 2)}", "invalid_credential", "unsupported_algorithm");

        using var forger = Key.Create(SignatureAlgorithm.Ed25519);
        var forgedHeader = Encode(new { alg = "EdDSA", kid });
        var forged = $"{forgedHeader}.{Part(pass, 1)}";
        var forgedSignature = Base64Url.EncodeToString(SignatureAlgorithm.Ed25519.Sign(forger, Encoding.ASCII.GetBytes(forged)));
        await AssertRefusedAsync(gate, setup.GateA, $"{forged}.{forgedSignature}", "invalid_credential", "bad_signature");
        await AssertRefusedAsync(gate, setup.GateA, $"{Encode(new { alg = "EdDSA", kid = "k0000000000000000" })}.{Part(pass, 1)}.{Part(pass, 2)}", "invalid_credential", "unknown_key");

        var foreign = (await _admin.InviteAsync(otherSite)).Issued("qr");
        await AssertRefusedAsync(gate, setup.GateA, foreign, "invalid_credential", "unknown_key");
    }

    [Fact]
    public async Task PassForGateA_ShownAtGateB_IsRefused()
    {
        var setup = await _admin.SetUpInvitesAsync();
        var gate = await server.GateAsync(_admin);
        var pass = (await _admin.InviteAsync(setup)).Issued("qr");
        await AssertRefusedAsync(gate, setup.GateB, pass, "entry_point_not_allowed", "door_not_listed");
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", pass));
    }

    [Fact]
    public async Task ExpiredAndReplayedPasses_AreRefused()
    {
        var setup = await _admin.SetUpInvitesAsync(maxUses: 1);
        var gate = await server.GateAsync(_admin);
        var now = server.Clock.GetUtcNow();
        var pass = (await _admin.InviteAsync(setup, validUntil: now.AddHours(1))).Issued("qr");
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", pass));
        Assert.Equal("max_uses_reached", await gate.ReasonAsync(setup.GateA, "qr", pass));

        var later = (await _admin.InviteAsync(setup, validUntil: now.AddHours(1))).Issued("qr");
        server.Clock.Advance(TimeSpan.FromHours(2));
        await AssertRefusedAsync(gate, setup.GateA, later, "expired", "expired");
    }

    [Fact]
    public async Task RotatedKey_KeepsOldPassesUntilRetired()
    {
        var setup = await _admin.SetUpInvitesAsync(maxUses: null);
        var gate = await server.GateAsync(_admin);
        var pass = (await _admin.InviteAsync(setup)).Issued("qr");
        var oldKid = Decode(Part(pass, 0)).GetProperty("kid").GetString();
        var rotated = await (await _admin.PostJsonAsync("/api/v1/access-settings/qr-keys/rotate", new { siteId = setup.SiteId })).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(oldKid, rotated.GetProperty("keyId").GetString());
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", pass));
        var fresh = (await _admin.InviteAsync(setup)).Issued("qr");
        Assert.Equal(rotated.GetProperty("keyId").GetString(), Decode(Part(fresh, 0)).GetProperty("kid").GetString());

        await (await _admin.PostJsonAsync($"/api/v1/access-settings/qr-keys/{oldKid}/retire", new { })).ExpectAsync(HttpStatusCode.OK);
        await AssertRefusedAsync(gate, setup.GateA, pass, "invalid_credential", "unknown_key");
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", fresh));
    }
}

public sealed class QrPassSqliteTests(SqliteServerFixture fixture) : QrPassTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class QrPassPostgresTests(PostgresServerFixture fixture) : QrPassTests(fixture.Server), IClassFixture<PostgresServerFixture>;
