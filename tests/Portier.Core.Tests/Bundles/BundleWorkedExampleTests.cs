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
    private const string SignatureHex = "808e13e0f056b9d361b9d236251a85b5c01ef93bd00d2335bc4d4668e9650986d83d3e69c840f23fe88f00ebee6c3a996b5d2efdf8dd7993c1115b89a1cbf205";
    private const string PayloadBase64 = "gI4T4PBWudNhudI2JRqFtcAe+TvQDSM1vE1GaOllCYbYPT5pyEDyP+iPAOvubDqZa10u/fjdeZPBEVuJocvyBR+LCAAAAAAAAAOdkkFvEzEQhf/LXPEKNw2V2FuQgii04kAEaqsIOfYkseLMLLY3Iqny39FsvGkQewDe4clr7VjfvJlnSD7jrYMaroqqAesFChzuvD1VjIqqAesFCnYYk2eC+kqBT6lFN8lSrUc3lb6u9Gim39Za11q/6hxUBwX1M/h/AMt+i49MCDVM28gNvn6HMXgCBbENmOS9BmNimu0b+XyaK8hmVU5rbmN3PCrg5TJ4wg8c/YHp3lObpeBqPNZHBY65+7PgXRdVA9ZLcvMRbe5ygA5qzcF9Qcvk5GmtYBHYbiYhTKzFlKBempBQwdZ4ykiGrLRGHLcmSESWG7x1hb5hT/nzcko57s+VS+PDPTspS2jbiHBu7c7v8L2xOUENllvK3wNbE8Je0kLj8LLD00UlIW88yY010f3Z03F+nBewgnVg6o8NchPw5dFxUTVgvWSq+0b4t7hdYJS2s8mtUBub/U46ehmh6YKbklkEdFDn2GJJNfiU5aoLRiBX0ZA039PcFFUD1gtU2Z9u+f+SXzb5m5cZnHBkec5Tu5yhUNmIDil7Ey7Q3hRVA9brv9B+n+XapDXU8PVu5tzq8UF/Okx+PlSkf+iP+1W3FTveXGR4/AUWsRDdOwQAAA==";
    private const string BodyJson = """{"siteId":"11111111-1111-1111-1111-111111111111","deviceId":"22222222-2222-2222-2222-222222222222","version":1,"issuedAt":"2026-03-02T09:00:00+00:00","site":{"id":"11111111-1111-1111-1111-111111111111","timeZone":"Europe/Berlin","rules":{"personTypes":[],"tags":[],"hours":[]},"offlineHorizonMinutes":1440},"doors":[{"id":"33333333-3333-3333-3333-333333333333","direction":"in","holdSeconds":10,"blockAllAccess":false,"maintenance":"normal","scopeIds":[],"pointOfEntry":false,"failMode":"secure","offlineLiveFacts":"count_locally","readers":[{"id":"reader-1","kind":"card","direction":"in"}]}],"scopes":[],"zones":[],"people":[{"id":"44444444-4444-4444-4444-444444444444","type":"member","status":"active","tags":[],"accessEnabled":true,"blocklisted":false}],"grants":[{"id":"66666666-6666-6666-6666-666666666666","personId":"44444444-4444-4444-4444-444444444444","siteWide":true,"doorIds":[],"scopeIds":[]}],"credentials":[{"id":"55555555-5555-5555-5555-555555555555","personId":"44444444-4444-4444-4444-444444444444","kind":"card","hash":"VLTddgZY0KzAxY-n0q0Jyg","revoked":false}]}""";

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
