using System.Globalization;
using NodaTime;
using Portier.Core.Guessing;
using Portier.Server.Infrastructure.Redis;
using StackExchange.Redis;

namespace Portier.Server.Features.Guessing;

/// <summary>One scope's guessing state as the nodes share it: its counter, its burst watch and the burst window it was watched with.</summary>
public readonly record struct SharedGuessState(GuessCounter Counter, BurstWatch Burst, Duration BurstWindow);

/// <summary>
/// The guessing counters in Redis, when it is configured, so every node counts every guess. A node
/// reads the counters of an attempt, decides, and writes them back only if no other node changed
/// them meanwhile (else it reads and decides again): parallel guesses on several nodes are counted
/// one by one, as on one node. The database keeps its copy for restarts.
/// </summary>
public sealed class SharedGuessCounters(SharedRedis redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>A counter quiet this long (after its back-off ends) is forgotten whatever its site sets.</summary>
    private static readonly Duration Keep = Duration.FromSeconds(GuessingOptions.MaxForgetAfterSeconds);

    public bool Enabled => redis.Enabled;

    /// <summary>The stored values of the scopes, as read (null for a scope Redis holds nothing for); throws when Redis does not answer.</summary>
    public async Task<RedisValue[]> ReadAsync(IReadOnlyList<string> keys, CancellationToken ct) =>
        await redis.Database.StringGetAsync([.. keys.Select(Key)]).WaitAsync(Timeout, ct);

    /// <summary>Writes the scopes' new states if they still hold what <paramref name="read"/> holds; false when another node was first.</summary>
    public async Task<bool> TryWriteAsync(
        IReadOnlyList<string> keys, RedisValue[] read, IReadOnlyList<SharedGuessState> states, Instant now, CancellationToken ct)
    {
        var transaction = redis.Database.CreateTransaction();
        for (var i = 0; i < keys.Count; i++)
        {
            transaction.AddCondition(read[i].IsNull ? Condition.KeyNotExists(Key(keys[i])) : Condition.StringEqual(Key(keys[i]), read[i]));
            var lockLeft = states[i].Counter.LockedUntil is { } until && until > now ? until - now : Duration.Zero;
            _ = transaction.StringSetAsync(Key(keys[i]), Format(states[i]), (lockLeft + Keep).ToTimeSpan());
        }
        return await transaction.ExecuteAsync().WaitAsync(Timeout, ct);
    }

    /// <summary>The reader's shared state, or null when Redis holds none.</summary>
    public async Task<SharedGuessState?> ReadOneAsync(string key, CancellationToken ct) =>
        Parse(await redis.Database.StringGetAsync(Key(key)).WaitAsync(Timeout, ct));

    public static SharedGuessState? Parse(RedisValue value)
    {
        if (value.IsNull) return null;
        var f = ((string)value!).Split('|');
        return new SharedGuessState(
            new GuessCounter(int.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), At(f[2]), At(f[3])),
            new BurstWatch(At(f[4]), int.Parse(f[5], CultureInfo.InvariantCulture), f[6] == "1", At(f[7])),
            Duration.FromMilliseconds(long.Parse(f[8], CultureInfo.InvariantCulture)));
    }

    private static string Format(SharedGuessState s) => string.Join('|',
        s.Counter.Failures, s.Counter.Locks, Ms(s.Counter.LockedUntil), Ms(s.Counter.LastFailureAt),
        Ms(s.Burst.StartedAt), s.Burst.Attempts, s.Burst.Alarmed ? "1" : "0", Ms(s.Burst.LastAt), (long)s.BurstWindow.TotalMilliseconds);

    private static string Ms(Instant? at) => at?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "";

    private static Instant? At(string ms) => ms.Length == 0 ? null : Instant.FromUnixTimeMilliseconds(long.Parse(ms, CultureInfo.InvariantCulture));

    private string Key(string scope) => redis.Key($"guess:{scope}");
}
