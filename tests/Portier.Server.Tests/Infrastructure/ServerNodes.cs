using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Changes;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;

namespace Portier.Server.Tests.Infrastructure;

/// <summary>What two nodes of one installation share beyond their database, and what both are told.</summary>
public sealed record NodeSetup
{
    public DatabaseKind Database { get; init; } = DatabaseKind.Postgres;

    /// <summary>
    /// Both nodes clients of the test Mosquitto broker in one shared-subscription group of their own, so a
    /// controller's message reaches one of them; without it each runs its own embedded broker.
    /// </summary>
    public bool ExternalBroker { get; init; }

    /// <summary>One Redis for both (<c>PORTIER_TEST_REDIS</c>) under a prefix of their own.</summary>
    public bool Redis { get; init; }

    /// <summary>Where both nodes' clocks start.</summary>
    public DateTimeOffset? Start { get; init; }

    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Services both nodes add to their own.</summary>
    public Action<IServiceCollection>? Services { get; init; }
}

/// <summary>
/// Two server nodes A and B on one database, as two processes would run them, each with its own clock. A
/// starts first: it migrates the database and creates the bootstrap admin, which B then finds.
/// </summary>
public sealed class ServerNodes : IAsyncDisposable
{
    private const string RedisVariable = "PORTIER_TEST_REDIS";

    private readonly TestDatabase _database;
    private readonly HashSet<PortierServer> _stopped = [];

    private ServerNodes(TestDatabase database, PortierServer a, PortierServer b) => (_database, A, B) = (database, a, b);

    public PortierServer A { get; }
    public PortierServer B { get; }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<ServerNodes> StartAsync(NodeSetup? setup = null)
    {
        setup ??= new NodeSetup();
        var database = await TestDatabase.CreateAsync(setup.Database);
        var shared = SharedSettings(setup);
        PortierServer Node()
        {
            var node = new PortierServer(database, builder => Configure(builder, setup, shared), setup.Start, ownsDatabase: false);
            _ = node.Server;
            return node;
        }
        var a = Node();
        return new ServerNodes(database, a, Node());
    }

    private static Dictionary<string, string?> SharedSettings(NodeSetup setup)
    {
        var settings = new Dictionary<string, string?> { ["Devices:PairingAttemptsPerMinute"] = "100000" };
        if (setup.Redis)
        {
            settings["Redis:Configuration"] = RedisConfiguration();
            settings["Redis:Prefix"] = "portier-test-" + Guid.NewGuid().ToString("N")[..12];
        }
        if (setup.ExternalBroker) settings["Mqtt:SharedGroup"] = "portier-test-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var (key, value) in setup.Settings) settings[key] = value;
        return settings;
    }

    private static void Configure(IWebHostBuilder builder, NodeSetup setup, Dictionary<string, string?> shared)
    {
        // Each node its own MQTT client id, in the group the nodes share.
        if (setup.ExternalBroker) PortierServer.WithSettings(MosquittoDevicesFixture.ExternalSettings(shared["Mqtt:SharedGroup"]))(builder);
        PortierServer.WithSettings(shared)(builder);
        if (setup.Services is { } services) builder.ConfigureTestServices(services);
    }

    public static string RedisConfiguration() =>
        Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{RedisVariable} is not set. Run the tests with scripts/test.sh, which starts a Redis server.");

    public PortierServer Other(PortierServer node) => node == A ? B : A;

    /// <summary>Moves both nodes' clocks (each stands for a machine's clock, kept in sync).</summary>
    public void SetClocks(DateTimeOffset at)
    {
        A.Clock.SetUtcNow(at);
        B.Clock.SetUtcNow(at);
    }

    /// <summary>
    /// Stops a node as a crash would: its leases stay behind in the database as it last renewed them,
    /// for the other node to take over only once they expire.
    /// </summary>
    public async Task KillAsync(PortierServer node)
    {
        var id = node.Leases().NodeId;
        List<Lease> left;
        await using (var scope = node.Services.CreateAsyncScope())
        {
            left = await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Lease>().AsNoTracking()
                .Where(l => l.Holder == id).ToListAsync(Token);
        }
        await node.DisposeAsync();
        _stopped.Add(node);
        await using var other = Other(node).Services.CreateAsyncScope();
        var db = other.ServiceProvider.GetRequiredService<PortierDbContext>();
        db.AddRange(left);
        await db.SaveChangesAsync(Token);
    }

    /// <summary>Stops a node cleanly: it gives its leases back.</summary>
    public async Task StopAsync(PortierServer node)
    {
        await node.DisposeAsync();
        _stopped.Add(node);
    }

    public async Task<Lease?> LeaseAsync(string name)
    {
        var running = _stopped.Contains(A) ? B : A;
        await using var scope = running.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Lease>().AsNoTracking()
            .FirstOrDefaultAsync(l => l.Name == name, Token);
    }

    /// <summary>A PostgreSQL connection of the test's own to the nodes' database, to change it behind their backs.</summary>
    public async Task<NpgsqlConnection> OpenDirectAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Token);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in new[] { B, A }.Where(n => !_stopped.Contains(n))) await node.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>Two nodes shared by the tests of one class; A and B stand for the nodes'.</summary>
public class ServerNodesFixture : IAsyncLifetime
{
    public ServerNodes Nodes { get; private set; } = null!;

    public PortierServer A => Nodes.A;
    public PortierServer B => Nodes.B;

    protected virtual NodeSetup Setup => new();

    public async ValueTask InitializeAsync() => Nodes = await ServerNodes.StartAsync(Setup);

    public async ValueTask DisposeAsync() => await Nodes.DisposeAsync();
}

public static class NodeExtensions
{
    public static Leases Leases(this PortierServer server) => server.Services.GetRequiredService<Leases>();

    public static NodeChanges Changes(this PortierServer server) => server.Services.GetRequiredService<NodeChanges>();
}

/// <summary>Two nodes sharing one Redis as well, for the tests of one class.</summary>
public sealed class RedisNodesFixture : ServerNodesFixture
{
    protected override NodeSetup Setup => new() { Redis = true };
}
