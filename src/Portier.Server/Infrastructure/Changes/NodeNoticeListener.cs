using Microsoft.Extensions.Options;
using Npgsql;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Infrastructure.Changes;

/// <summary>
/// Holds the node's one connection that listens for other nodes' notices (PostgreSQL only): their
/// <see cref="ChangeNotice"/>s, applied as they arrive, and every <see cref="INodeNoticeChannel"/>'s
/// notices, handed to it. When the connection breaks, the node is not current
/// (<see cref="NodeChanges.Current"/>) until it reconnects, waiting one second, then twice as long each
/// time up to <see cref="ChangesOptions.MaxReconnectSeconds"/>; on each (re)connect it reads the
/// versions after listening began and marks every cache stale once, since notices sent meanwhile are lost.
/// </summary>
public sealed partial class NodeNoticeListener(
    NodeChanges node,
    IEnumerable<INodeNoticeChannel> channels,
    IOptions<DatabaseOptions> database,
    IOptions<ChangesOptions> options,
    TimeProvider clock,
    ILogger<NodeNoticeListener> logger) : BackgroundService
{
    private readonly Dictionary<string, INodeNoticeChannel> _channels = channels.ToDictionary(c => c.Channel);

    /// <summary>The listening connection's name in <c>pg_stat_activity</c>, followed by the node's id.</summary>
    public const string ApplicationNamePrefix = "portier-changes-";

    /// <summary>How long the connection may stay silent before a query checks it still works.</summary>
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private bool Enabled => database.Value.Provider == DatabaseProvider.Postgres;

    /// <summary>Waits for the first attempt to listen, so a node that can reach its database starts current.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        if (Enabled) await _firstAttempt.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        var delay = FirstReconnectDelay;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ListenAsync(() => delay = FirstReconnectDelay, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    var wasCurrent = node.Current;
                    node.NotListening();
                    _firstAttempt.TrySetResult();
                    if (wasCurrent) LogListeningLost(logger, delay.TotalSeconds, e);
                    else LogListenFailed(logger, delay.TotalSeconds, e.Message);
                }
                await Task.Delay(delay, clock, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxReconnectDelay.Ticks));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            node.NotListening();
            _firstAttempt.TrySetResult();
        }
    }

    private async Task ListenAsync(Action connected, CancellationToken ct)
    {
        // Not pooled: a pooled connection would be reset (and stop listening) on its way back to the pool.
        var connectionString = new NpgsqlConnectionStringBuilder(database.Value.PostgresConnectionString())
        {
            Pooling = false,
            ApplicationName = ApplicationNamePrefix + node.NodeId,
        }.ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        connection.Notification += (_, e) => OnNotice(e.Channel, e.Payload);
        foreach (var channel in _channels.Keys.Prepend(ChangeNotice.Channel))
        {
            await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
            await listen.ExecuteNonQueryAsync(ct);
        }
        node.Listening(await ReadVersionsAsync(connection, ct), clock.GetCurrentInstant());
        connected();
        _firstAttempt.TrySetResult();
        LogListening(logger);
        while (true)
        {
            if (await connection.WaitAsync(Probe, ct)) continue;
            await using var ping = new NpgsqlCommand("SELECT 1", connection);
            await ping.ExecuteScalarAsync(ct);
        }
    }

    private static async Task<List<DefinitionVersion>> ReadVersionsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var versions = new List<DefinitionVersion>();
        await using var read = new NpgsqlCommand("""SELECT "Name", "Version" FROM definition_versions""", connection);
        await using var reader = await read.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) versions.Add(new DefinitionVersion { Name = reader.GetString(0), Version = reader.GetInt64(1) });
        return versions;
    }

    private void OnNotice(string channel, string payload)
    {
        if (_channels.TryGetValue(channel, out var other))
        {
            other.Hear(payload);
            return;
        }
        if (ChangeNotice.FromPayload(payload) is not { } notice || notice.Node == node.NodeId) return;
        foreach (var (name, version) in notice.Versions) node.Apply(name, version, notice.RowsOf(name));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for definition changes and notices of other nodes")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The connection listening for other nodes' changes broke; this node is not current until it reconnects (next attempt in {Seconds} s; versions are still checked)")]
    private static partial void LogListeningLost(ILogger logger, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other nodes' changes failed: {Reason}; next attempt in {Seconds} s")]
    private static partial void LogListenFailed(ILogger logger, double seconds, string reason);
}
