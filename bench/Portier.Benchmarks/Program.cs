using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Portier.Benchmarks;

// Usage: Portier.Benchmarks [throughput [--building-rules | --people N [--queries M] [--seed S]] | --bdn | events | bundles] [--data DIR]
//        Portier.Benchmarks live-fanout [--clients N] [--events M] [--rate EVENTS_PER_SECOND]
//        Portier.Benchmarks webhooks [--endpoints N] [--events M]
//        Portier.Benchmarks snapshot-rebuild [--people N] [--database DIR]
//        Portier.Benchmarks snapshot-patch [--people N] [--changes M]
//        Portier.Benchmarks scan-path [--operations N] [--writers N]
//        Portier.Benchmarks revocation-reach [--controllers N] [--revocations M]
//        Portier.Benchmarks bundle-build
//        Portier.Benchmarks http-load --url URL --requests FILE [--connections 64] [--duration 20] [--warmup 5] [--token T] [--pid SERVER_PID]
if (args is [("live-fanout" or "webhooks" or "snapshot-rebuild" or "snapshot-patch" or "scan-path" or "revocation-reach") and var mode, ..])
{
    int Option(string name, int fallback) =>
        Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    return mode switch
    {
        "webhooks" => await ServerBenchmarks.WebhooksAsync(Option("--endpoints", 4), Option("--events", 5_000)),
        "snapshot-rebuild" => await SnapshotRebuildBenchmark.RunAsync(Option("--people", 100_000),
            Array.IndexOf(args, "--database") is var at and >= 0 && at + 1 < args.Length ? Path.GetFullPath(args[at + 1]) : null),
        "snapshot-patch" => SnapshotPatchBenchmark.Run(Option("--people", 100_000), Option("--changes", 2_000)),
        "scan-path" => await ScanPathBenchmark.RunAsync(Option("--operations", 20_000), Option("--writers", 64)),
        "revocation-reach" => await RevocationReachBenchmark.RunAsync(Option("--controllers", 200), Option("--revocations", 20)),
        _ => await ServerBenchmarks.LiveFanOutAsync(Option("--clients", 1_000), Option("--events", 200), Option("--rate", 0)),
    };
}

if (args is ["http-load", ..])
    return HttpLoad.Parse(args) is { } httpLoad ? await HttpLoad.RunAsync(httpLoad) : 2;

if (args is ["bundle-build", ..])
{
    BenchmarkRunner.Run<BundleBuildBenchmarks>(DefaultConfig.Instance.AddJob(Job.ShortRun));
    return 0;
}

var directory = Workload.DefaultDirectory();
var bdn = false;
var bundles = false;
var buildingRules = false;
int? generatedPeople = null;
var generatedQueries = 1_000_000;
var seed = 20251123;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length:
            directory = Path.GetFullPath(args[++i]);
            break;
        case "--bdn" or "bdn":
            bdn = true;
            break;
        case "throughput":
            break;
        case "bundles":
            bundles = true;
            break;
        case "--building-rules":
            buildingRules = true;
            break;
        case "--people" when i + 1 < args.Length:
            generatedPeople = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--queries" when i + 1 < args.Length:
            generatedQueries = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--seed" when i + 1 < args.Length:
            seed = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "events":
            return await EventsBenchmark.RunAsync();
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'. Usage: [throughput [--building-rules | --people N [--queries M] [--seed S]] | --bdn | events | bundles] [--data DIR]");
            return 2;
    }
}

if (generatedPeople is { } peopleCount)
{
    if (peopleCount < 1 || generatedQueries < 1)
    {
        Console.Error.WriteLine("--people and --queries must be at least 1");
        return 2;
    }
    Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    var generateStart = System.Diagnostics.Stopwatch.GetTimestamp();
    var (generated, reference, referenceQueries) = GeneratedWorkload.Create(peopleCount, generatedQueries, seed);
    Console.WriteLine($"generated:   the shared workload's shape at {peopleCount:N0} people, seed {seed}, expected answers from the reference engine ({System.Diagnostics.Stopwatch.GetElapsedTime(generateStart).TotalSeconds:F1} s)");
    return Throughput.Run(generated, (reference, referenceQueries));
}

if (!File.Exists(Path.Combine(directory, "data.json")))
{
    Console.Error.WriteLine($"no workload in {directory}; pass --data DIR");
    return 2;
}

Console.WriteLine($"workload directory: {directory}");
Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");

if (bundles) return BundleBenchmark.Run(directory);

if (bdn)
{
    Environment.SetEnvironmentVariable(BenchSettings.DataVariable, directory);
    var config = DefaultConfig.Instance.AddJob(Job.ShortRun);
    BenchmarkRunner.Run<DecideBenchmarks>(config);
    return 0;
}

var workload = Workload.Load(directory);
if (buildingRules)
{
    workload = BuildingRules.Apply(workload);
    Console.WriteLine("building rules: a holiday calendar on the site and an anti-passback zone behind every door");
}
return Throughput.Run(workload);

internal static class BenchSettings
{
    public const string DataVariable = "PORTIER_BENCH_DATA";
}
