using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Redis;
using StackExchange.Redis;

namespace Portier.Server.Features.LiveEvents;

/// <summary>
/// Carries the live stream between nodes through Redis, when Redis is configured. One script numbers
/// an event in its site's stream, keeps it in the site's replay list and publishes it, all in one step,
/// so every node receives every site's events in sequence order and numbers them alike. A site's
/// stream id lives in Redis too: it changes only when Redis lost the site's numbering, and clients
/// resuming across that change get a <c>ReplayGap</c>.
/// </summary>
public sealed partial class LiveEventRelay(SharedRedis redis, IOptions<LiveEventOptions> options, ILogger<LiveEventRelay> logger)
{
    // KEYS: stream id, last sequence, replay list. ARGV: candidate stream id, event, replay capacity, channel.
    private const string PublishScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX') then redis.call('DEL', KEYS[2], KEYS[3]) end
        local message = redis.call('GET', KEYS[1]) .. '|' .. redis.call('INCR', KEYS[2]) .. '|' .. ARGV[2]
        redis.call('RPUSH', KEYS[3], message)
        redis.call('LTRIM', KEYS[3], -tonumber(ARGV[3]), -1)
        redis.call('PUBLISH', ARGV[4], message)
        return 1
        """;

    // KEYS: stream id, last sequence, replay list. ARGV: candidate stream id.
    private const string LoadScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX') then redis.call('DEL', KEYS[2], KEYS[3]) end
        return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]) or '0', redis.call('LRANGE', KEYS[3], 0, -1)}
        """;

    private static readonly JsonSerializerOptions Json = JsonOptions();
    private static readonly ConcurrentDictionary<string, Type?> DataTypes = new(StringComparer.Ordinal);

    private sealed record Relayed(string Type, Guid SiteId, DateTimeOffset At, Guid? DoorId, Guid? ZoneId, string DataType, JsonElement Data);

    public bool Enabled => redis.Enabled;

    private RedisChannel Channel => redis.Channel("live");

    /// <summary>Numbers and publishes one event; never waits. Events sent from one node keep their order.</summary>
    public void Send(string type, Guid siteId, DateTimeOffset at, object data, Guid? doorId, Guid? zoneId)
    {
        var payload = JsonSerializer.Serialize(
            new { type, siteId, at, doorId, zoneId, dataType = data.GetType().FullName, data }, Json);
        var sent = redis.Database.ScriptEvaluateAsync(PublishScript, Keys(siteId),
            [SequentialIdText(), payload, options.Value.ReplayCapacity, Channel.ToString()]);
        _ = sent.ContinueWith(t => LogSendFailed(logger, t.Exception!, type, siteId),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>The site's stream id, its last sequence, and the events Redis still holds for replay, oldest first.</summary>
    public async Task<(Guid Stream, long Last, List<LiveEvent> Held)> LoadAsync(Guid siteId)
    {
        var result = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(LoadScript, Keys(siteId), [SequentialIdText()]))!;
        var held = ((RedisResult[])result[2]!).Select(m => Parse((string)m!)).ToList();
        return (Guid.Parse((string)result[0]!), long.Parse((string)result[1]!, CultureInfo.InvariantCulture), held);
    }

    /// <summary>
    /// Delivers every node's events to <paramref name="onEvent"/>, one at a time in stream order, and calls
    /// <paramref name="onReconnected"/> when the connection to Redis comes back (events sent meanwhile were missed).
    /// </summary>
    public async Task ListenAsync(Func<LiveEvent, Task> onEvent, Action onReconnected)
    {
        redis.Connection.ConnectionRestored += (_, _) => onReconnected();
        var queue = await redis.Connection.GetSubscriber().SubscribeAsync(Channel);
        queue.OnMessage(async message =>
        {
            try
            {
                await onEvent(Parse((string)message.Message!));
            }
            catch (Exception e)
            {
                LogReceiveFailed(logger, e);
                onReconnected();
            }
        });
    }

    private RedisKey[] Keys(Guid siteId) =>
        [redis.Key($"live:{{{siteId:D}}}:stream"), redis.Key($"live:{{{siteId:D}}}:last"), redis.Key($"live:{{{siteId:D}}}:held")];

    private static string SequentialIdText() => Portier.Core.Model.SequentialIds.Next().ToString("D");

    /// <summary>Reads <c>stream|sequence|event</c>; the data comes back as the type it was published as (the console's pages read it typed).</summary>
    private static LiveEvent Parse(string message)
    {
        var parts = message.Split('|', 3);
        var relayed = JsonSerializer.Deserialize<Relayed>(parts[2], Json)!;
        var type = DataTypes.GetOrAdd(relayed.DataType, name => typeof(LiveEventRelay).Assembly.GetType(name));
        var data = type is null ? relayed.Data : relayed.Data.Deserialize(type, Json) ?? relayed.Data;
        return new LiveEvent(relayed.Type, relayed.SiteId, Guid.Parse(parts[0]), long.Parse(parts[1], CultureInfo.InvariantCulture),
            relayed.At, relayed.DoorId, relayed.ZoneId, data);
    }

    private static JsonSerializerOptions JsonOptions()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpExtensions.ConfigureJson(json);
        return json;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live event {Type} of site {SiteId} could not be sent through Redis and is not streamed (the access log keeps it)")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string type, Guid siteId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A live event from Redis could not be taken in; the site's stream is reloaded from Redis")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception);
}

/// <summary>With Redis, feeds the events of every node to this node's broker; keeps trying while Redis is away at start.</summary>
internal sealed partial class LiveEventRelayListener(LiveEventRelay relay, LiveEventBroker broker, TimeProvider clock, ILogger<LiveEventRelayListener> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!relay.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await relay.ListenAsync(broker.AcceptAsync, broker.Desync);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogListenFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not listen to the live stream in Redis; trying again")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
