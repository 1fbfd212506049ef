using System.Globalization;
using System.Security.Cryptography;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Cluster.Tests.Harness;

/// <summary>
/// Three server nodes (A, B, C) as an operator runs them for one estate: one fresh PostgreSQL
/// database, the test Mosquitto broker (external mode), the test Redis, the same secrets, each
/// node on its own loopback port with its own data folder. Node A starts first and creates the
/// schema and the admin token; B and C then start together on the migrated database.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    public const string AdminToken = "ptr_cluster-admin-token-0123456789abcdef";
    public const string MosquittoVariable = "PORTIER_TEST_MOSQUITTO";
    public const string RedisVariable = "PORTIER_TEST_REDIS";

    private readonly TestDatabase _database;
    private readonly string _folder;
    private readonly Dictionary<string, string> _shared;

    private Cluster(TestDatabase database, string folder, Dictionary<string, string> shared)
    {
        _database = database;
        _folder = folder;
        _shared = shared;
    }

    public IReadOnlyList<ServerNode> Nodes { get; private set; } = [];
    public ServerNode A => Nodes[0];
    public ServerNode B => Nodes[1];
    public ServerNode C => Nodes[2];
    public string ConnectionString => _database.ConnectionString;

    /// <param name="nodes">How many nodes (1–3; the suite runs three).</param>
    /// <param name="extra">Settings every node gets beyond the estate's (e.g. shorter leases for a test that kills a node).</param>
    public static async Task<Cluster> StartAsync(int nodes = 3, IReadOnlyDictionary<string, string>? extra = null, CancellationToken ct = default)
    {
        var database = await TestDatabase.CreateAsync(DatabaseKind.Postgres);
        var folder = Directory.CreateTempSubdirectory("portier-cluster-").FullName;
        var shared = EstateSettings(database.ConnectionString, Path.GetFileName(folder).Replace("portier-cluster-", "", StringComparison.Ordinal));
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) shared[key] = value;
        var cluster = new Cluster(database, folder, shared);
        try
        {
            var list = Enumerable.Range(0, nodes).Select(i => cluster.NewNode(((char)('A' + i)).ToString())).ToList();
            cluster.Nodes = list;
            await list[0].StartAsync(ct);
            await Task.WhenAll(list.Skip(1).Select(n => n.StartAsync(ct)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a killed node again under the same name, on a new port.</summary>
    public async Task<ServerNode> RestartAsync(ServerNode node, CancellationToken ct)
    {
        await node.DisposeAsync();
        var fresh = NewNode(node.Name);
        Nodes = [.. Nodes.Select(n => n == node ? fresh : n)];
        await fresh.StartAsync(ct);
        return fresh;
    }

    private ServerNode NewNode(string name)
    {
        var settings = new Dictionary<string, string>(_shared)
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Database:DataFolder"] = Path.Combine(_folder, "data-" + name),
            ["Mqtt:ClientId"] = $"portier-{Path.GetFileName(_folder)}-{name}-{Guid.NewGuid().ToString("N")[..6]}",
        };
        return new ServerNode(name, settings, _folder);
    }

    /// <summary>What every node of the estate shares: the database, the broker, Redis and the secrets.</summary>
    /// <param name="estate">A name of this cluster's own, so clusters sharing the test broker and Redis never meet.</param>
    private static Dictionary<string, string> EstateSettings(string connectionString, string estate)
    {
        var (mqttHost, mqttPort) = Endpoint(MosquittoVariable);
        var redis = Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } r
            ? r
            : throw new InvalidOperationException($"{RedisVariable} is not set. Run the tests with scripts/test.sh, which starts Redis.");
        string Secret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        return new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = connectionString,
            ["PORTIER_ADMIN_TOKEN"] = AdminToken,
            ["Mqtt:Mode"] = "External",
            ["Mqtt:Host"] = mqttHost,
            ["Mqtt:Port"] = mqttPort.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:SharedGroup"] = "portier-" + estate,
            ["Redis:Configuration"] = redis,
            ["Redis:Prefix"] = "portier-" + estate,
            ["Secrets:PinPepper"] = Secret(),
            ["Secrets:BundleSecret"] = Secret(),
            ["Secrets:QrSigningKey"] = Secret(),
            ["Secrets:ChannelInboundKey"] = Secret(),
            ["Devices:PairingAttemptsPerMinute"] = "100000",
            ["Auth:SignInAttemptsPerMinute"] = "100000",
            // Test receivers listen on loopback, which the outbound address guard refuses unless allowed.
            ["Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Outbound:AllowedNetworks:1"] = "::1/128",
        };
    }

    public static (string Host, int Port) Endpoint(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value && value.Split(':') is [var host, var port]
            ? (host, int.Parse(port, CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"{variable} is not set. Run the tests with scripts/test.sh, which starts the test services.");

    /// <summary>Every node's last lines, for a failure message.</summary>
    public string Logs() => string.Join("\n", Nodes.Select(n => n.Tail()));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        await _database.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A fresh three-node cluster per test class.</summary>
public class ClusterFixture : IAsyncLifetime
{
    public Cluster Cluster { get; private set; } = null!;

    /// <summary>Settings a test class needs beyond the estate's.</summary>
    protected virtual IReadOnlyDictionary<string, string> Extra => new Dictionary<string, string>();

    public async ValueTask InitializeAsync() => Cluster = await Cluster.StartAsync(3, Extra);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
