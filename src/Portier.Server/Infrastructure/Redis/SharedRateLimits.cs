using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace Portier.Server.Infrastructure.Redis;

/// <summary>The partitions of the rate limit policies: counted in Redis across all nodes when it is configured, in this process otherwise.</summary>
public static class SharedRateLimits
{
    /// <summary>
    /// At most <paramref name="permitLimit"/> requests per <paramref name="window"/> for one partition
    /// (such as a client address) of one policy, whichever node they reach.
    /// </summary>
    public static RateLimitPartition<string> FixedWindow(HttpContext http, string policy, string partition, int permitLimit, TimeSpan window)
    {
        var options = new FixedWindowRateLimiterOptions { PermitLimit = permitLimit, Window = window };
        var redis = http.RequestServices.GetRequiredService<SharedRedis>();
        if (!redis.Enabled) return RateLimitPartition.GetFixedWindowLimiter(partition, _ => options);
        var logger = http.RequestServices.GetRequiredService<ILogger<SharedFixedWindowLimiter>>();
        return RateLimitPartition.Get(partition, key => new SharedFixedWindowLimiter(redis, redis.Key($"limit:{policy}:{key}"), options, logger));
    }
}

/// <summary>
/// A fixed window counted with one atomic Redis step (INCR, and the window's expiry on its first
/// request). Redis is only reached asynchronously, so the synchronous attempt never acquires and the
/// rate limiting middleware goes on to the asynchronous one. While Redis does not answer the node
/// falls back to a window of its own with the same limit: the limit then holds per node, not in total.
/// </summary>
public sealed partial class SharedFixedWindowLimiter(SharedRedis redis, string key, FixedWindowRateLimiterOptions options, ILogger<SharedFixedWindowLimiter> logger)
    : RateLimiter
{
    private const string CountScript = """
        local count = redis.call('INCRBY', KEYS[1], ARGV[1])
        if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return count
        """;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private readonly FixedWindowRateLimiter _ownWindow = new(options);
    private long _lastUsed = Environment.TickCount64;

    public override TimeSpan? IdleDuration => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => _ownWindow.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Refused;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, Environment.TickCount64);
        if (permitCount == 0) return Lease.Granted;
        if (!redis.Connection.IsConnected)
        {
            LogOwnWindow(logger, null, key);
            return await _ownWindow.AcquireAsync(permitCount, cancellationToken);
        }
        try
        {
            var count = (long)await redis.Database
                .ScriptEvaluateAsync(CountScript, [key], [permitCount, (long)options.Window.TotalMilliseconds])
                .WaitAsync(Timeout, cancellationToken);
            return count <= options.PermitLimit ? Lease.Granted : Lease.Refused;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogOwnWindow(logger, e, key);
            return await _ownWindow.AcquireAsync(permitCount, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _ownWindow.Dispose();
        base.Dispose(disposing);
    }

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public static readonly Lease Granted = new(true);
        public static readonly Lease Refused = new(false);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not count {Key}; this node limits it on its own meanwhile")]
    private static partial void LogOwnWindow(ILogger logger, Exception? exception, string key);
}
