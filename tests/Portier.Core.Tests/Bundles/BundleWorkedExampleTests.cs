using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Portier.Core.Bundles;
using Portier.Core.Model;

namespace Portier.Core.Tests.Bundles;

/// <summary>
/// The worked example of docs/device-protocol.md ("Version 2: offline mode"): every value the page
/// shows is checked here and must appear there verbatim, so firmware written from the page agrees with Portier.
/// </summary>
public sealed class BundleWorkedExampleTests
{
    private const string SeedHex = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
    private const string CredentialKeyHex = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
    private const string PublicKeyHex = "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664";
    private const string PublicKeyBase64 = "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=";
    private const string CardAsRead = "04:a2:3f:9b";
    private const string CardHash = "VLTddgZY0KzAxY-n0q0Jyg";
    private const string SignatureHex = "9a182571b4efd7e2332fbc474990af0d056e4fd100f388b2e6e3355188451718bef72831c3e79feab41d4a7c1781f93bbd99875ead2a0880c008221f06128009";
    private const string PayloadBase64 = "mhglcbTv1+IzL7xHSZCvDQVuT9EA84iy5uM1UYhFFxi+9ygxw+ef6rQdSnwXgfk7vZmHXq0qCIDACCIfBhKACR+LCAAAAAAAAAOdkkFvGjEQhf/LXOtVDaGRujcqUTVtoh6KWiURqow9CxbGs7W9qBDx36sxXkKrPSR9h5GxGO/33swTRJvwxkANo6JqoPQCAQZ3Vp86xkXVQOkFAnYYoiUP9UiAjbFDM03cLcfXlbyq5Hgu39dS1lK+yRVEhoL6CewrwJLd4gN5hBpmXaAW337A4KwHAaFzGPm9FkMkP9+3/PNxISCpVTmtqQv5eBRATeOsx08U7IH8nfVd4obRZCKPAgxR/mfBuyqqBkovzs0G1CnnABlqTc58Q03e8NNSwNKR3kydm2qNMULdKBdRwFZZn9Arr9map7BVjiPS1OKNKfQtWZ++NjOfwv7c2Sjr7shwW0TdBYSztVu7w49Kpwg1aOp8+ulIK+f2nBYqg5cOTxcVh7yxnm+0CuYfT5g/fVwcF4WtkB3I98cWqXX4/O6kqBoovXiw+5YtbHG7xMDOk0odgyud7I5NPU9R5exmXi0dGqhT6LAE62xMfJWzYchVUJ799zTXRdVA6QWirFDe/xfy8zL/sDyGEw7vz3lwl2NkKh3QoE9WuQu0d0XVQOn1X2h/j3Ot4hpq+H47N2b1cC+/HKa/7ysvf8nP+1VejB1tLjI8/gHMhtwPPgQAAA==";
    private const string BodyJson = """{"siteId":"11111111-1111-1111-1111-111111111111","deviceId":"22222222-2222-2222-2222-222222222222","version":1,"issuedAt":"2026-03-02T09:00:00+00:00","site":{"id":"11111111-1111-1111-1111-111111111111","timeZone":"Europe/Berlin","rules":{"personTypes":[],"tags":[],"hours":[]},"offlineHorizonMinutes":1440},"doors":[{"id":"33333333-3333-3333-3333-333333333333","direction":"in","holdSeconds":10,"blockAllAccess":false,"maintenance":"normal","scopeIds":[],"pointOfEntry":false,"failMode":"secure","offlineLiveFacts":"count_locally","readers":[{"id":"reader-1","kind":"card","direction":"entry"}]}],"scopes":[],"zones":[],"people":[{"id":"44444444-4444-4444-4444-444444444444","type":"member","status":"active","tags":[],"accessEnabled":true,"blocklisted":false}],"grants":[{"id":"66666666-6666-6666-6666-666666666666","personId":"44444444-4444-4444-4444-444444444444","siteWide":true,"doorIds":[],"scopeIds":[]}],"credentials":[{"id":"55555555-5555-5555-5555-555555555555","personId":"44444444-4444-4444-4444-444444444444","kind":"card","hash":"VLTddgZY0KzAxY-n0q0Jyg","revoked":false}]}""";

    private static readonly Guid SiteId = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid DeviceId = Guid.Parse("22222222-2222-2222-2222-222222222222");
    private static readonly Guid DoorId = Guid.Parse("33333333-3333-3333-3333-333333333333");

    [Fact]
    public void Keys_FromTheExampleSeed_GiveTheDocumentedPublicKeyAndCardHash()
    {
        var publicKey = BundleSigning.PublicKeyOf(Convert.FromHexString(SeedHex));

        Assert.Equal(PublicKeyHex, Convert.ToHexStringLower(publicKey));
        Assert.Equal(PublicKeyBase64, Convert.ToBase64String(publicKey));
        Assert.Equal(CardHash, CredentialHashing.HashPresented(Convert.FromHexString(CredentialKeyHex), CredentialKind.Card, CardAsRead));
    }

    [Fact]
    public void Payload_FromTheDocs_VerifiesDecodesAndGrantsTheCard()
    {
        var payload = Convert.FromBase64String(PayloadBase64);

        Assert.Equal(SignatureHex, Convert.ToHexStringLower(payload[..BundleSigning.SignatureBytes]));
        Assert.Equal(payload[..BundleSigning.SignatureBytes], BundleSigning.Sign(Convert.FromHexString(SeedHex), payload.AsSpan(BundleSigning.SignatureBytes)));
        Assert.True(BundleCodec.TryDecode(payload, Convert.FromHexString(PublicKeyHex), out var body, out var error), error);
        Assert.Equal(BodyJson, JsonSerializer.Serialize(body, BundleCodec.Json));
        Assert.True(ControllerPolicy.TryApply(null, body, SiteId, DeviceId, out var policy, out error), error);
        var at = Instant.FromUtc(2026, 3, 2, 10, 0);
        var decision = EdgeDecisions.Decide(policy, policy.Doors[DoorId], Convert.FromHexString(CredentialKeyHex), CredentialKind.Card, CardAsRead, at, at, default);
        Assert.True(decision.Allowed);
    }

    [Fact]
    public void Payload_OneByteChanged_IsRefused()
    {
        var payload = Convert.FromBase64String(PayloadBase64);
        payload[^1] ^= 1;

        Assert.False(BundleCodec.TryDecode(payload, Convert.FromHexString(PublicKeyHex), out _, out var error));
        Assert.Contains("signature", error, StringComparison.Ordinal);
    }

    [Fact]
    public void DeviceProtocolPage_ShowsEveryValueOfTheExample()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "device-protocol.md"));

        foreach (var value in new[] { SeedHex, CredentialKeyHex, PublicKeyHex, PublicKeyBase64, CardHash, SignatureHex, PayloadBase64 })
            Assert.Contains(value, page, StringComparison.Ordinal);
        var blocks = page.Split("```json").Skip(1).Select(b => b[..b.IndexOf("```", StringComparison.Ordinal)]);
        Assert.Contains(blocks, b => JsonNode.DeepEquals(JsonNode.Parse(b), JsonNode.Parse(BodyJson)));
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Portier.slnx"))) return folder.FullName;
        throw new InvalidOperationException("Portier.slnx not found above the test's folder.");
    }
}
