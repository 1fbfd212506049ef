using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Portier.Server.Infrastructure.Redis;

public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>
    /// A StackExchange.Redis connection string (<c>redis.example.org:6379,password=...,ssl=true</c>). Empty: a
    /// single node, the live stream and the limits kept in this process.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>Put before every key and channel, so several installations can share one Redis.</summary>
    public string Prefix { get; set; } = "portier";
}

/// <summary>
/// The one Redis connection of this node, when <see cref="RedisOptions.Configuration"/> is set: the live
/// stream and the limits that must hold across nodes share it. It connects on first use and keeps
/// reconnecting by itself, so a node starts (and serves) while Redis is away.
/// </summary>
public sealed class SharedRedis(IOptions<RedisOptions> options) : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _connection = new(() =>
    {
        var config = ConfigurationOptions.Parse(options.Value.Configuration!);
        config.AbortOnConnectFail = false;
        config.ClientName ??= "portier";
        return ConnectionMultiplexer.Connect(config);
    });

    public bool Enabled => !string.IsNullOrWhiteSpace(options.Value.Configuration);

    public IConnectionMultiplexer Connection => _connection.Value;

    public IDatabase Database => Connection.GetDatabase();

    /// <summary>The installation's name for a key or channel: <c>{prefix}:{name}</c>.</summary>
    public string Key(string name) => $"{options.Value.Prefix}:{name}";

    public RedisChannel Channel(string name) => RedisChannel.Literal(Key(name));

    public void Dispose()
    {
        if (_connection.IsValueCreated) _connection.Value.Dispose();
    }
}
