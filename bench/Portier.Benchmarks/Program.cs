using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Portier.Benchmarks;

// Usage: Portier.Benchmarks [throughput | --bdn | events] [--data DIR]
var directory = Workload.DefaultDirectory();
var bdn = false;
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
        case "events":
            return await EventsBenchmark.RunAsync();
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'. Usage: [throughput | --bdn | events] [--data DIR]");
            return 2;
    }
}

if (!File.Exists(Path.Combine(directory, "data.json")))
{
    Console.Error.WriteLine($"no workload in {directory}; pass --data DIR");
    return 2;
}

Console.WriteLine($"workload directory: {directory}");
Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");

if (bdn)
{
    Environment.SetEnvironmentVariable(BenchSettings.DataVariable, directory);
    var config = DefaultConfig.Instance.AddJob(Job.ShortRun);
    BenchmarkRunner.Run<DecideBenchmarks>(config);
    return 0;
}

return Throughput.Run(Workload.Load(directory));

internal static class BenchSettings
{
    public const string DataVariable = "PORTIER_BENCH_DATA";
}
