using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portier.Server.Infrastructure.Changes;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Nodes;

/// <summary>Two server nodes on one PostgreSQL database, as behind a load balancer: A and B.</summary>
public sealed class TwoNodes : IAsyncLifetime
{
    /// <summary>10:00 in New York, inside the access scenario's opening hours.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    public const int VersionCheckSeconds = 5;

    private TestDatabase _database = null!;

    public PortierServer A { get; private set; } = null!;
    public PortierServer B { get; private set; } = null!;

    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Database:Changes:VersionCheckSeconds"] = VersionCheckSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Devices:PairingAttemptsPerMinute"] = "100000",
    };

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseKind.Postgres);
        A = new PortierServer(_database, PortierServer.WithSettings(Settings), Start, ownsDatabase: false);
        _ = A.Server;
        B = new PortierServer(_database, PortierServer.WithSettings(Settings), Start, ownsDatabase: false);
        _ = B.Server;
    }

    /// <summary>A connection of the test's own to the nodes' database, to change it behind their backs.</summary>
    public async Task<NpgsqlConnection> OpenDirectAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    public static NodeChanges Changes(PortierServer node) => node.Services.GetRequiredService<NodeChanges>();

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await _database.DisposeAsync();
    }
}
