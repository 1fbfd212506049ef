using BenchmarkDotNet.Attributes;
using Portier.Core.Bundles;
using Portier.Core.Model;
using Portier.Core.Policy;

namespace Portier.Benchmarks;

/// <summary>
/// Building and encoding the bundle of one door's controller at the 100,000-person synthetic site
/// (<see cref="Synthetic"/>; its first site holds half of them): what the server does for each
/// controller whose content changed.
/// </summary>
[MemoryDiagnoser]
public class BundleBuildBenchmarks
{
    private static readonly byte[] Seed = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly byte[] CredentialKey = [.. Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i))];

    private PolicyDefinitions _definitions = null!;
    private ControllerBundleSpec _spec = null!;
    private BundleBody _body = null!;

    [Params(100_000)]
    public int People { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _definitions = Synthetic.Definitions(People);
        var site = _definitions.Sites[0].Id;
        var door = _definitions.Doors.First(d => d.SiteId == site);
        _spec = new ControllerBundleSpec(site, Guid.NewGuid(),
            [new ControllerDoor(door.Id, DoorFailMode.Secure, OfflineLiveFacts.CountLocally, [new BundleReader("reader-1", "card", "in")])], 1440, CredentialKey);
        _body = BundleBuilder.Build(_definitions, _spec, 1, DateTimeOffset.UnixEpoch);
        var payload = BundleCodec.Encode(_body, Seed);
        Console.WriteLine($"// bundle of one door: {_body.People!.Count:N0} people, {_body.Credentials!.Count:N0} credentials, {_body.Grants!.Count:N0} grants; {payload.Length:N0} bytes signed and compressed");
    }

    /// <summary>The site's shared part (people, hashed credentials) and the controller's own cut.</summary>
    [Benchmark]
    public BundleBody Build() => BundleBuilder.Build(_definitions, _spec, 1, DateTimeOffset.UnixEpoch);

    /// <summary>JSON, gzip and the Ed25519 signature.</summary>
    [Benchmark]
    public byte[] Encode() => BundleCodec.Encode(_body, Seed);
}
