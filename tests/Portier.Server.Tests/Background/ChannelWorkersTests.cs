using Microsoft.Extensions.Logging.Abstractions;
using Portier.Server.Infrastructure.Background;

namespace Portier.Server.Tests.Background;

/// <summary>Items started on the caller's thread keep the queue's promises: bounded handling, and drained at shutdown.</summary>
public sealed class ChannelWorkersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Each item waits until the test releases it.</summary>
    private sealed class HeldWorkers(int capacity, int consumers, int inFlightPerConsumer)
        : ChannelWorkers<int>(capacity, consumers, inFlightPerConsumer, NullLogger.Instance)
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<int> StartedOnCaller { get; } = [];
        public int CallerThread { get; set; } = -1;
        private int _finished;
        public int Finished => Volatile.Read(ref _finished);

        protected override async Task HandleAsync(int item)
        {
            if (Environment.CurrentManagedThreadId == CallerThread) lock (StartedOnCaller) StartedOnCaller.Add(item);
            await Release.Task;
            Interlocked.Increment(ref _finished);
        }
    }

    [Fact]
    public async Task ItemWithFreeSlot_StartsOnCallersThread_AndShutdownWaitsForIt()
    {
        using var workers = new HeldWorkers(capacity: 10, consumers: 1, inFlightPerConsumer: 2);
        await workers.StartAsync(Ct);

        workers.CallerThread = Environment.CurrentManagedThreadId;
        Assert.True(workers.TryEnqueue(1));
        Assert.Equal([1], workers.StartedOnCaller);
        Assert.Equal(0, workers.Queued);

        var stopping = workers.StoppingAsync(Ct);
        Assert.False(stopping.IsCompleted);
        Assert.False(workers.TryEnqueue(2));
        workers.Release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(1, workers.Finished);
    }

    [Fact]
    public async Task EverySlotTaken_ItemsQueue_UpToCapacity_AndAreAllHandledAtShutdown()
    {
        using var workers = new HeldWorkers(capacity: 2, consumers: 1, inFlightPerConsumer: 1);
        await workers.StartAsync(Ct);

        Assert.True(workers.TryEnqueue(1));
        // The only slot is the consumer's or the first item's: the next two wait in the queue, a fourth is refused.
        while (workers.Queued > 0) await Task.Delay(10, Ct);
        Assert.True(workers.TryEnqueue(2));
        Assert.True(workers.TryEnqueue(3));
        Assert.False(workers.TryEnqueue(4));

        var stopping = workers.StoppingAsync(Ct);
        workers.Release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(3, workers.Finished);
    }
}
