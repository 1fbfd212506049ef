using BenchmarkDotNet.Attributes;
using Portier.Core.Decisions;
using Portier.Core.Policy;

namespace Portier.Benchmarks;

/// <summary>BenchmarkDotNet view of <see cref="DecisionEngine.Decide"/> over the workload's first 4,096 queries.</summary>
[MemoryDiagnoser]
public class DecideBenchmarks
{
    private const int Batch = 4096;
    private PolicySnapshot _snapshot = null!;
    private DecisionRequest[] _requests = [];

    [GlobalSetup]
    public void Setup()
    {
        var directory = Environment.GetEnvironmentVariable(BenchSettings.DataVariable) ?? Workload.DefaultDirectory();
        var workload = Workload.Load(directory);
        _snapshot = PolicySnapshot.Compile(workload.Definitions);
        _requests = new DecisionRequest[Batch];
        for (var i = 0; i < Batch; i++)
            _requests[i] = DecisionRequest.ForPerson(workload.PersonIds[workload.QueryPerson[i]], workload.DoorIds[workload.QueryDoor[i]], workload.QueryAt[i]);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int Decide()
    {
        var allowed = 0;
        var requests = _requests;
        for (var i = 0; i < requests.Length; i++)
        {
            if (DecisionEngine.Decide(_snapshot, requests[i], LiveFacts.OnlineAt(requests[i].At)).Allowed) allowed++;
        }
        return allowed;
    }
}
