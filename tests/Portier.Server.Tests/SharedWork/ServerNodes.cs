using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.SharedWork;

/// <summary>
/// Two server nodes on one database, as two processes would run them, each with its own clock. With
/// <c>externalBroker</c>, both are clients of the test Mosquitto broker, so a controller hears either.
/// </summary>
public sealed class ServerNodes : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly HashSet<PortierServer> _stopped = [];

    private ServerNodes(TestDatabase database, PortierServer first, PortierServer second) =>
        (_database, First, Second) = (database, first, second);

    public PortierServer First { get; }
    public PortierServer Second { get; }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<ServerNodes> StartAsync(
        DatabaseKind kind, bool externalBroker = false, DateTimeOffset? start = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var database = await TestDatabase.CreateAsync(kind);
        PortierServer Node() => new(database, builder => Configure(builder, externalBroker, settings), start, ownsDatabase: false);
        var first = Node();
        _ = first.Server;
        var second = Node();
        _ = second.Server;
        return new ServerNodes(database, first, second);
    }

    private static void Configure(IWebHostBuilder builder, bool externalBroker, IReadOnlyDictionary<string, string?>? settings)
    {
        builder.UseSetting("Devices:PairingAttemptsPerMinute", "10000");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
        if (!externalBroker) return;
        var (host, port) = MosquittoDevicesFixture.Broker;
        builder.UseSetting("Mqtt:Mode", "External");
        builder.UseSetting("Mqtt:Host", host);
        builder.UseSetting("Mqtt:Port", port.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Mqtt:ClientId", "portier-node-" + Guid.NewGuid().ToString("N")[..8]);
    }

    public PortierServer Other(PortierServer node) => node == First ? Second : First;

    /// <summary>Moves both nodes' clocks (each stands for a machine's clock, kept in sync).</summary>
    public void SetClocks(DateTimeOffset at)
    {
        First.Clock.SetUtcNow(at);
        Second.Clock.SetUtcNow(at);
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
        var running = _stopped.Contains(First) ? Second : First;
        await using var scope = running.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Lease>().AsNoTracking()
            .FirstOrDefaultAsync(l => l.Name == name, Token);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in new[] { Second, First }.Where(n => !_stopped.Contains(n))) await node.DisposeAsync();
        await _database.DisposeAsync();
    }
}

public static class NodeExtensions
{
    public static Leases Leases(this PortierServer server) => server.Services.GetRequiredService<Leases>();
}

/// <summary>Waits on a condition with a generous bound, for a loaded machine.</summary>
internal static class Waiting
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string because)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"Timed out waiting: {because}");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
