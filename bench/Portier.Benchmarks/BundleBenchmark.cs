using System.Diagnostics;
using System.Globalization;
using Portier.Core.Bundles;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Core.Policy;

namespace Portier.Benchmarks;

/// <summary>
/// Controller bundles: the shared workload cut into bundles (one per controller of ten doors, each
/// through the full wire path: build, sign, encode, verify, apply), every query decided by the edge
/// from its controller's bundle and by the server's engine, and the two compared; then edge
/// decisions per second, and the build time and size of bundles of the synthetic site.
/// </summary>
internal static class BundleBenchmark
{
    private const int DoorsPerController = 10;
    private static readonly byte[] Seed = [.. Enumerable.Range(1, BundleSigning.SeedBytes).Select(i => (byte)i)];
    private static readonly byte[] CredentialKey = [.. Enumerable.Range(101, CredentialHashing.KeyBytes).Select(i => (byte)i)];

    public static int Run(string directory)
    {
        var workload = Workload.Load(directory);
        var cards = workload.PersonIds.Select((_, i) => i.ToString("X8", CultureInfo.InvariantCulture)).ToArray();
        var definitions = workload.Definitions with
        {
            Credentials = [.. workload.PersonIds.Select((id, i) => new CredentialDefinition(Workload.Id(6, i), id, CredentialKind.Card, cards[i]))],
        };
        var server = PolicySnapshot.Compile(definitions);
        var siteId = definitions.Sites[0].Id;
        var publicKey = BundleSigning.PublicKeyOf(Seed);

        var start = Stopwatch.GetTimestamp();
        var controllerOf = new ControllerPolicy[workload.DoorIds.Length];
        var doorOf = new BundleDoor[workload.DoorIds.Length];
        long wireBytes = 0;
        for (var first = 0; first < workload.DoorIds.Length; first += DoorsPerController)
        {
            var doors = workload.DoorIds.Skip(first).Take(DoorsPerController).ToList();
            var deviceId = Workload.Id(7, first / DoorsPerController);
            var spec = new ControllerBundleSpec(siteId, deviceId,
                [.. doors.Select(d => new ControllerDoor(d, DoorFailMode.Secure, OfflineLiveFacts.CountLocally, []))], 1440, CredentialKey);
            var payload = BundleCodec.Encode(BundleBuilder.Build(definitions, spec, 1, DateTimeOffset.UnixEpoch), Seed);
            wireBytes += payload.Length;
            if (!BundleCodec.TryDecode(payload, publicKey, out var body, out var error)
                || !ControllerPolicy.TryApply(null, body, siteId, deviceId, out var policy, out error))
            {
                Console.Error.WriteLine($"FAIL: the bundle of controller {deviceId} was refused: {error}");
                return 1;
            }
            for (var d = first; d < first + doors.Count; d++)
            {
                controllerOf[d] = policy;
                doorOf[d] = policy.Doors[workload.DoorIds[d]];
            }
        }
        var controllers = (workload.DoorIds.Length + DoorsPerController - 1) / DoorsPerController;
        Console.WriteLine($"bundles: {controllers} controllers of {DoorsPerController} doors, {definitions.People.Count:N0} people each, " +
            $"{wireBytes / controllers / 1024.0:F0} KiB signed and compressed per bundle, all built, signed, verified and applied in {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s");

        var agree = 0;
        var allowed = 0;
        for (var i = 0; i < workload.Count; i++)
        {
            var (person, door, at) = (workload.QueryPerson[i], workload.QueryDoor[i], workload.QueryAt[i]);
            var expected = DecisionEngine.Decide(server, DecisionRequest.ForPerson(workload.PersonIds[person], workload.DoorIds[door], at), LiveFacts.OnlineAt(at));
            var edge = EdgeDecisions.Decide(controllerOf[door], doorOf[door], CredentialKey, CredentialKind.Card, cards[person], at, at, default);
            if (edge == expected) agree++;
            else if (i - agree < 10) Console.Error.WriteLine($"query {i}: server {expected.Reason.ToCode()}/{expected.Path.ToCode()}, edge {edge.Reason.ToCode()}/{edge.Path.ToCode()}");
            if (edge.Allowed) allowed++;
        }
        Console.WriteLine($"agreement: {agree:N0} of {workload.Count:N0} edge decisions equal the server's (allowed, reason and path); " +
            $"{allowed:N0} allowed (workload expects {workload.ExpectedAllowCount:N0}); live facts: none in this workload (no zones, no use limits)");
        if (agree != workload.Count || allowed != workload.ExpectedAllowCount) return 1;

        MeasureEdgeRate(workload, controllerOf, doorOf, cards);
        MeasureBuild(100_000);
        MeasureBuild(10_000);
        return 0;
    }

    /// <summary>One thread, as a controller has: the whole edge decision (card hashed, then decided), and the decision alone.</summary>
    private static void MeasureEdgeRate(Workload workload, ControllerPolicy[] controllerOf, BundleDoor[] doorOf, string[] cards)
    {
        var hashes = cards.Select(c => CredentialHashing.HashPresented(CredentialKey, CredentialKind.Card, c)!).ToArray();
        var best = double.MaxValue;
        var bestDecideOnly = double.MaxValue;
        for (var pass = 0; pass < 4; pass++)
        {
            var start = Stopwatch.GetTimestamp();
            var granted = 0;
            for (var i = 0; i < workload.Count; i++)
            {
                var at = workload.QueryAt[i];
                var door = workload.QueryDoor[i];
                if (EdgeDecisions.Decide(controllerOf[door], doorOf[door], CredentialKey, CredentialKind.Card, cards[workload.QueryPerson[i]], at, at, default).Allowed) granted++;
            }
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);

            start = Stopwatch.GetTimestamp();
            for (var i = 0; i < workload.Count; i++)
            {
                var at = workload.QueryAt[i];
                var door = workload.QueryDoor[i];
                var request = DecisionRequest.Scan(CredentialKind.Card, hashes[workload.QueryPerson[i]], doorOf[door].Id, at);
                if (DecisionEngine.Decide(controllerOf[door].Snapshot, request, LiveFacts.OnlineAt(at)).Allowed) granted--;
            }
            bestDecideOnly = Math.Min(bestDecideOnly, Stopwatch.GetElapsedTime(start).TotalSeconds);
            GC.KeepAlive(granted);
        }
        Console.WriteLine($"edge rate:   {workload.Count / best,12:N0} decisions/s on one thread with the card hashed (HMAC-SHA256) per decision; " +
            $"{workload.Count / bestDecideOnly:N0}/s for the decision alone on the bundle's snapshot (best of 4 passes)");
    }

    /// <summary>The bundle of one door of the synthetic site: build time (median of 5) and its size on the wire.</summary>
    private static void MeasureBuild(int people)
    {
        var definitions = Synthetic.Definitions(people);
        var door = definitions.Doors[0];
        var spec = new ControllerBundleSpec(door.SiteId, Guid.NewGuid(), [new ControllerDoor(door.Id, DoorFailMode.Secure, OfflineLiveFacts.CountLocally, [])], 1440, CredentialKey);
        var build = new double[5];
        var encode = new double[5];
        byte[] payload = [];
        BundleBody body = null!;
        for (var i = 0; i < build.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            body = BundleBuilder.Build(definitions, spec, 1, DateTimeOffset.UnixEpoch);
            build[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            payload = BundleCodec.Encode(body, Seed);
            encode[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(build);
        Array.Sort(encode);
        var apply = Stopwatch.GetTimestamp();
        BundleCodec.TryDecode(payload, BundleSigning.PublicKeyOf(Seed), out var decoded, out _);
        ControllerPolicy.TryApply(null, decoded!, spec.SiteId, spec.DeviceId, out _, out _);
        var applyMs = Stopwatch.GetElapsedTime(apply).TotalMilliseconds;
        Console.WriteLine($"bundle:      one door of the {people:N0}-person synthetic site ({body.People!.Count:N0} people at its site, {body.Credentials!.Count:N0} cards, {body.Grants!.Count:N0} grants): " +
            $"built in {build[2]:F0} ms, signed and compressed in {encode[2]:F0} ms (medians of 5), {payload.Length / 1024.0:F0} KiB on the wire; verified and applied by a controller in {applyMs:F0} ms");
    }
}
