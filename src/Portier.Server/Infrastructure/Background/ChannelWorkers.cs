using System.Threading.Channels;

namespace Portier.Server.Infrastructure.Background;

/// <summary>
/// A bounded queue worked by a fixed number of consumers, with up to consumers × in-flight-per-consumer
/// items handled at once (an item that waits on I/O does not hold its consumer). <see cref="TryEnqueue"/>
/// starts an item on the caller's own thread when a slot is free and nothing waits, so an idle
/// system hands it to no other thread; otherwise it queues it, and refuses it when the queue is full
/// or stopping, so the caller decides what a refusal means.
/// Shutdown follows the host's convention for queues: when the host starts stopping, the queue
/// stops accepting, finishes every queued and in-flight item (bounded by the host's shutdown
/// timeout), then stops. It drains in <see cref="IHostedLifecycleService.StoppingAsync"/>, before
/// any hosted service's <c>StopAsync</c>, so what the items need (broker, database writer) still runs.
/// </summary>
public abstract partial class ChannelWorkers<T> : IHostedLifecycleService, IDisposable
{
    private readonly Channel<T> _queue;
    private readonly int _consumers;
    private readonly int _slotCount;
    /// <summary>Items handled at once, whether started by the caller or by a consumer.</summary>
    private readonly SemaphoreSlim _slots;
    private readonly ILogger _logger;
    private volatile bool _stopping;
    private Task _drained = Task.CompletedTask;

    protected ChannelWorkers(int capacity, int consumers, int inFlightPerConsumer, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(consumers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlightPerConsumer, 1);
        _queue = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = consumers == 1 });
        _consumers = consumers;
        _slotCount = consumers * inFlightPerConsumer;
        _slots = new SemaphoreSlim(_slotCount, _slotCount);
        _logger = logger;
    }

    /// <summary>Items waiting for a consumer.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>
    /// Starts the item at once on this thread (up to its first wait) when a slot is free and nothing
    /// is queued ahead of it, else queues it; false when the queue is full or stopping.
    /// </summary>
    public bool TryEnqueue(T item)
    {
        if (_stopping || _queue.Reader.Count > 0 || !_slots.Wait(0)) return _queue.Writer.TryWrite(item);
        _ = RunAsync(item);
        return true;
    }

    /// <summary>Handles one item. Exceptions are logged, never retried; the item's own failure handling belongs here.</summary>
    protected abstract Task HandleAsync(T item);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var consumers = new Task[_consumers];
        for (var i = 0; i < consumers.Length; i++) consumers[i] = Task.Run(ConsumeAsync, CancellationToken.None);
        _drained = DrainAsync(consumers);
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting and waits until everything queued is handled, or the host's shutdown timeout.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
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

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _slots.Dispose();
    }

    /// <summary>Done once the consumers have emptied the closed queue and every item in flight, however started, has finished.</summary>
    private async Task DrainAsync(Task[] consumers)
    {
        await Task.WhenAll(consumers);
        for (var i = 0; i < _slotCount; i++) await _slots.WaitAsync();
    }

    /// <summary>Takes an item whenever a slot is free; returns when the queue is completed and empty.</summary>
    private async Task ConsumeAsync()
    {
        var reader = _queue.Reader;
        while (true)
        {
            await _slots.WaitAsync();
            if (!reader.TryRead(out var item))
            {
                try
                {
                    item = await reader.ReadAsync();
                }
                catch (ChannelClosedException)
                {
                    _slots.Release();
                    return;
                }
            }
            _ = RunAsync(item);
        }
    }

    /// <summary>Handles the item in the slot taken for it, and gives the slot back.</summary>
    private async Task RunAsync(T item)
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
            _slots.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Queue}: handling a queued item failed")]
    private static partial void LogItemFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Queue}: the shutdown timeout ended the drain with {Left} items still queued")]
    private static partial void LogDrainCutShort(ILogger logger, string queue, int left);
}
