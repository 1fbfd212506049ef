using System.Collections.Concurrent;
using Portier.Core.Devices;
using Portier.Simulator;

namespace Portier.Cluster.Tests.Harness;

/// <summary>
/// Door controllers played by the simulator over the real broker: they heartbeat, acknowledge every
/// command in time, and this keeps every command each received, by the scan it answers.
/// </summary>
public sealed class Controllers : IAsyncDisposable
{
    private readonly List<SimulatedDevice> _devices = [];
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<CommandMessage>> _waiting = new();

    /// <summary>Every command received, in arrival order.</summary>
    public ConcurrentQueue<CommandMessage> Received { get; } = new();

    public IReadOnlyList<SimulatedDevice> Devices => _devices;

    public static async Task<Controllers> ConnectAsync(Estate estate, IEnumerable<DeviceCredentials> paired, CancellationToken ct)
    {
        var controllers = new Controllers();
        try
        {
            foreach (var credentials in paired)
            {
                var device = await SimulatedDevice.ConnectAsync(credentials, TimeProvider.System, dropAcks: false, ct);
                device.CommandReceived += controllers.OnCommand;
                controllers._devices.Add(device);
            }
            foreach (var device in controllers._devices)
                await Wait.UntilAsync(() => estate.IsOnlineAsync(device.Id), TimeSpan.FromSeconds(60), $"controller {device.Id} comes online", ct);
            return controllers;
        }
        catch
        {
            await controllers.DisposeAsync();
            throw;
        }
    }

    /// <summary>Presents the card at the controller's reader and returns the first command that answers the scan.</summary>
    public async Task<CommandMessage> ScanAsync(int controller, string card, TimeSpan limit, CancellationToken ct)
    {
        var scanId = Guid.CreateVersion7();
        var answer = _waiting.GetOrAdd(scanId, _ => new TaskCompletionSource<CommandMessage>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _devices[controller].ScanAsync(card, scanId, ct);
        try
        {
            return await answer.Task.WaitAsync(limit, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"scan {scanId} of card {card} at controller {controller} was not answered within {limit}");
        }
    }

    /// <summary>Presents without waiting; the answer arrives in <see cref="Received"/>.</summary>
    public Task<Guid> PresentAsync(int controller, string card, CancellationToken ct) => _devices[controller].ScanAsync(card, Guid.CreateVersion7(), ct);

    /// <summary>The answer to a scan sent with <see cref="PresentAsync"/>, once it arrives.</summary>
    public Task<CommandMessage> AnswerTo(Guid scanId) =>
        _waiting.GetOrAdd(scanId, _ => new TaskCompletionSource<CommandMessage>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void OnCommand(SimulatedDevice device, CommandMessage command, bool inTime, long arrived)
    {
        Received.Enqueue(command);
        if (command.ScanId is { } scanId)
            _waiting.GetOrAdd(scanId, _ => new TaskCompletionSource<CommandMessage>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(command);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var device in _devices) await device.DisposeAsync();
    }
}

public static class Wait
{
    /// <summary>Polls the condition until it holds; fails with <paramref name="because"/> after <paramref name="limit"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan limit, string because, CancellationToken ct)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit) Assert.Fail($"Timed out after {limit}: {because}");
            await Task.Delay(50, ct);
        }
    }
}
