using Portier.Core.Bundles;

namespace Portier.Core.Tests.Bundles;

/// <summary>A controller keeps its last good bundle: anything it cannot trust or apply is refused with a reason for its log.</summary>
public sealed class BundleRefusalTests
{
    private static readonly RichPolicy Policy = RichPolicy.Create(7);
    private static readonly ControllerBundleSpec Spec = Policy.Controller(0, Policy.Doors);
    private static readonly byte[] PublicKey = BundleSigning.PublicKeyOf(RichPolicy.Seed);

    private static BundleBody Full(long version) => BundleBuilder.Build(Policy.Definitions, Spec, version, DateTimeOffset.UnixEpoch);

    [Fact]
    public void WrongSignature_IsRefused()
    {
        var payload = BundleCodec.Encode(Full(1), RichPolicy.Seed);
        payload[10] ^= 0x01;
        Assert.False(BundleCodec.TryDecode(payload, PublicKey, out _, out var error));
        Assert.Contains("signature", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AlteredBody_IsRefused()
    {
        var payload = BundleCodec.Encode(Full(1), RichPolicy.Seed);
        payload[^5] ^= 0x40;
        Assert.False(BundleCodec.TryDecode(payload, PublicKey, out _, out var error));
        Assert.Contains("signature", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherSitesKey_IsRefused()
    {
        var otherSeed = RichPolicy.Seed.Select(b => (byte)(b ^ 0x5A)).ToArray();
        var payload = BundleCodec.Encode(Full(1), otherSeed);
        Assert.False(BundleCodec.TryDecode(payload, PublicKey, out _, out var error));
        Assert.Contains("signature", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedPayload_IsRefused()
    {
        var payload = BundleCodec.Encode(Full(1), RichPolicy.Seed);
        Assert.False(BundleCodec.TryDecode(payload.AsSpan(0, payload.Length / 2), PublicKey, out _, out _));
        Assert.False(BundleCodec.TryDecode(payload.AsSpan(0, 40), PublicKey, out _, out var error));
        Assert.Contains("too short", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SignedButNotGzip_IsRefusedAsUnreadable()
    {
        var junk = "not a bundle"u8.ToArray();
        var payload = BundleSigning.Sign(RichPolicy.Seed, junk).Concat(junk).ToArray();
        Assert.False(BundleCodec.TryDecode(payload, PublicKey, out _, out var error));
        Assert.Contains("unreadable", error, StringComparison.Ordinal);
    }

    [Fact]
    public void OlderOrSameVersion_IsRefused_AndTheHeldOneStays()
    {
        var held = RichPolicy.Receive(Full(5));
        Assert.False(ControllerPolicy.TryApply(held, Full(5), Spec.SiteId, Spec.DeviceId, out _, out var error));
        Assert.Contains("not newer", error, StringComparison.Ordinal);
        Assert.False(ControllerPolicy.TryApply(held, Full(3), Spec.SiteId, Spec.DeviceId, out _, out _));
        Assert.Equal(5, held.Version);
    }

    [Fact]
    public void DeltaForAnotherBase_IsRefused()
    {
        var held = RichPolicy.Receive(Full(5));
        var revoked = Policy.Definitions with { Credentials = [.. Policy.Definitions.Credentials.Select(c => c with { Revoked = true })] };
        var delta = BundleDiff.Between(Full(3), BundleBuilder.Build(revoked, Spec, 6, DateTimeOffset.UnixEpoch))!;
        Assert.False(ControllerPolicy.TryApply(held, delta, Spec.SiteId, Spec.DeviceId, out _, out var error));
        Assert.Contains("does not apply", error, StringComparison.Ordinal);
        Assert.False(ControllerPolicy.TryApply(null, delta, Spec.SiteId, Spec.DeviceId, out _, out _));
    }

    [Fact]
    public void TruncatedDelta_LeavingReferencesDangling_IsRefused()
    {
        var held = RichPolicy.Receive(Full(1));
        var grantForNewPerson = new GrantDefinition(Guid.NewGuid(), Guid.NewGuid(), Spec.SiteId) { SiteWide = true };
        // A delta that lost its person record but kept the grant that refers to it.
        var delta = new BundleBody
        {
            SiteId = Spec.SiteId,
            DeviceId = Spec.DeviceId,
            Version = 2,
            BaseVersion = 1,
            IssuedAt = DateTimeOffset.UnixEpoch,
            Grants = [new BundleGrant { Id = grantForNewPerson.Id, PersonId = grantForNewPerson.PersonId, SiteWide = true }],
        };
        Assert.False(ControllerPolicy.TryApply(held, delta, Spec.SiteId, Spec.DeviceId, out _, out var error));
        Assert.Contains("does not compile", error, StringComparison.Ordinal);
    }

    [Fact]
    public void BundleForAnotherController_IsRefused()
    {
        Assert.False(ControllerPolicy.TryApply(null, Full(1), Spec.SiteId, Guid.NewGuid(), out _, out var error));
        Assert.Contains("is for controller", error, StringComparison.Ordinal);
        Assert.False(ControllerPolicy.TryApply(null, Full(1), Guid.NewGuid(), Spec.DeviceId, out _, out _));
    }

    [Fact]
    public void FullBundleWithoutItsSite_IsRefused()
    {
        Assert.False(ControllerPolicy.TryApply(null, Full(1) with { Site = null }, Spec.SiteId, Spec.DeviceId, out _, out var error));
        Assert.Contains("without its site", error, StringComparison.Ordinal);
    }
}
