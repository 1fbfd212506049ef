using System.Threading.Channels;

namespace Portier.Server.Infrastructure.Background;

/// <summary>
/// A bounded queue worked by a fixed number of consumers, each with up to a fixed number of items
/// in flight (an item that waits on I/O does not hold its consumer). <see cref="TryEnqueue"/>
/// refuses an item when the queue is full or stopping, so the caller decides what a refusal means.
/// Shutdown follows the host's convention for queues: when the host starts stopping, the queue
/// stops accepting, finishes every queued and in-flight item (bounded by the host's shutdown
/// timeout), then stops. It drains in <see cref="IHostedLifecycleService.StoppingAsync"/>, before
/// any hosted service's <c>StopAsync</c>, so what the items need (broker, database writer) still runs.
/// </summary>
public abstract partial class ChannelWorkers<T> : IHostedLifecycleService
{
    private readonly Channel<T> _queue;
    private readonly int _consumers;
    private readonly int _inFlightPerConsumer;
    private readonly ILogger _logger;
    private Task _drained = Task.CompletedTask;

    protected ChannelWorkers(int capacity, int consumers, int inFlightPerConsumer, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(consumers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlightPerConsumer, 1);
        _queue = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = consumers == 1 });
        _consumers = consumers;
        _inFlightPerConsumer = inFlightPerConsumer;
        _logger = logger;
    }

    /// <summary>Items waiting for a consumer.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Queues the item; false when the queue is full or stopping.</summary>
    public bool TryEnqueue(T item) => _queue.Writer.TryWrite(item);

    /// <summary>Handles one item. Exceptions are logged, never retried; the item's own failure handling belongs here.</summary>
    protected abstract Task HandleAsync(T item);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var consumers = new Task[_consumers];
        for (var i = 0; i < consumers.Length; i++) consumers[i] = Task.Run(ConsumeAsync, CancellationToken.None);
        _drained = Task.WhenAll(consumers);
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting and waits until everything queued is handled, or the host's shutdown timeout.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        try
        {
            await _drained.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogDrainCutShort(_logger, GetType().Name, _queue.Reader.Count);
        }
    }

    /// <summary>Also drains when stopped without the lifecycle's stopping step.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => StoppingAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Takes an item whenever one of its slots is free; when the queue is completed and empty, waits for its own items in flight.</summary>
    private async Task ConsumeAsync()
    {
        using var slots = new SemaphoreSlim(_inFlightPerConsumer, _inFlightPerConsumer);
        var reader = _queue.Reader;
        while (true)
        {
            await slots.WaitAsync();
            if (!reader.TryRead(out var item))
            {
                try
                {
                    item = await reader.ReadAsync();
                }
                catch (ChannelClosedException)
                {
                    slots.Release();
                    break;
                }
            }
            _ = RunAsync(item, slots);
        }
        for (var i = 0; i < _inFlightPerConsumer; i++) await slots.WaitAsync();
    }

    private async Task RunAsync(T item, SemaphoreSlim slots)
    {
        try
        {
            await HandleAsync(item);
        }
        catch (Exception e)
        {
            LogItemFailed(_logger, GetType().Name, e);
        }
        finally
        {
            slots.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Queue}: handling a queued item failed")]
    private static partial void LogItemFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Queue}: the shutdown timeout ended the drain with {Left} items still queued")]
    private static partial void LogDrainCutShort(ILogger logger, string queue, int left);
}
