using Microsoft.AspNetCore.Hosting;

namespace Portier.Server.Tests.Infrastructure;

/// <summary>
/// Two server nodes on one PostgreSQL database and one Redis (<c>PORTIER_TEST_REDIS</c>), each with its
/// own embedded MQTT broker and clock. Every instance has its own Redis prefix, so test classes running
/// side by side share nothing in Redis.
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    public const string RedisVariable = "PORTIER_TEST_REDIS";

    private readonly TestDatabase _database;

    private TwoNodes(TestDatabase database, PortierServer a, PortierServer b) => (_database, A, B) = (database, a, b);

    public PortierServer A { get; }
    public PortierServer B { get; }

    /// <param name="settings">Settings both nodes share beyond the Redis ones.</param>
    public static async Task<TwoNodes> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var database = await TestDatabase.CreateAsync(DatabaseKind.Postgres);
        var shared = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Redis:Configuration"] = RedisConfiguration(),
            ["Redis:Prefix"] = "portier-test-" + Guid.NewGuid().ToString("N")[..12],
        };
        // One after the other: the first migrates the database and creates the bootstrap admin.
        var a = new PortierServer(database, PortierServer.WithSettings(shared), ownsDatabase: false);
        _ = a.Server;
        var b = new PortierServer(database, PortierServer.WithSettings(shared), ownsDatabase: false);
        _ = b.Server;
        return new TwoNodes(database, a, b);
    }

    public static string RedisConfiguration() =>
        Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{RedisVariable} is not set. Run the tests with scripts/test.sh, which starts a Redis server.");

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>Two nodes shared by the tests of one class.</summary>
public class TwoNodesFixture : IAsyncLifetime
{
    public TwoNodes Nodes { get; private set; } = null!;

    /// <summary>Settings both nodes need beyond the defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async ValueTask InitializeAsync() => Nodes = await TwoNodes.StartAsync(Settings);

    public async ValueTask DisposeAsync() => await Nodes.DisposeAsync();
}
