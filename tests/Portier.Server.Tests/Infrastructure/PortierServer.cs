using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Portier.Server.Tests.Infrastructure;

/// <summary>The real server over a real database, with a controllable clock and a full-access admin token.</summary>
public sealed class PortierServer : WebApplicationFactory<Program>
{
    public const string AdminToken = "ptr_test-admin-token-0123456789abcdef";

    public static readonly DateTimeOffset DefaultStart = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly TestDatabase _database;
    private readonly Action<IWebHostBuilder>? _configure;
    private readonly bool _ownsDatabase;

    /// <param name="configure">Extra settings or services for this server.</param>
    /// <param name="start">The clock's first instant (default 2026-03-02 09:00 UTC, a Monday).</param>
    /// <param name="ownsDatabase">False keeps the database after disposal, so a second server can start on it (a restart).</param>
    public PortierServer(TestDatabase database, Action<IWebHostBuilder>? configure = null, DateTimeOffset? start = null, bool ownsDatabase = true)
    {
        _database = database;
        _configure = configure;
        _ownsDatabase = ownsDatabase;
        Clock = new FakeTimeProvider(start ?? DefaultStart);
    }

    /// <summary>A configure hook that applies the given settings.</summary>
    public static Action<IWebHostBuilder> WithSettings(IReadOnlyDictionary<string, string?> settings) =>
        builder => { foreach (var (key, value) in settings) builder.UseSetting(key, value); };

    /// <summary>
    /// A configure hook that takes back the test host's loopback allowance, as in a default
    /// installation: the list then names only a documentation network (192.0.2.0/24) no test reaches.
    /// </summary>
    public static void WithoutOutboundAllowance(IWebHostBuilder builder)
    {
        builder.UseSetting("Outbound:AllowedNetworks:0", "192.0.2.0/24");
        builder.UseSetting("Outbound:AllowedNetworks:1", "192.0.2.0/24");
    }

    public FakeTimeProvider Clock { get; }

    public DatabaseKind Kind => _database.Kind;

    public string DataFolder => _database.DataFolder;

    /// <summary>The embedded MQTT broker's port: a free loopback port per server, so test classes run in parallel.</summary>
    public int MqttPort { get; } = FreePort();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // The server's own logs would bury a failing test's message in the run's output.
        builder.ConfigureLogging(logging => logging.ClearProviders());
        builder.UseSetting("Database:Provider", _database.Kind.ToString());
        builder.UseSetting("Database:ConnectionString", _database.ConnectionString);
        builder.UseSetting("Database:DataFolder", _database.DataFolder);
        builder.UseSetting("PORTIER_ADMIN_TOKEN", AdminToken);
        // Every test request comes from one address; the per-address sign-in limit has its own test.
        builder.UseSetting("Auth:SignInAttemptsPerMinute", "100000");
        builder.UseSetting("Mqtt:Host", "127.0.0.1");
        builder.UseSetting("Mqtt:Port", MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Test receivers listen on loopback, which the outbound address guard refuses unless allowed.
        builder.UseSetting("Outbound:AllowedNetworks:0", "127.0.0.0/8");
        builder.UseSetting("Outbound:AllowedNetworks:1", "::1/128");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        _configure?.Invoke(builder);
    }

    private static int _lastPort = 20_000 + Environment.ProcessId % 6_000;

    /// <summary>
    /// A loopback port free now, from 20000–31999: below the kernel's ephemeral range (32768 and up), so an
    /// outgoing connection of another test cannot take it between this check and the server's bind, and
    /// handed out once per test run.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            var port = 20_000 + Interlocked.Increment(ref _lastPort) % 12_000;
            try
            {
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Taken by something else on this machine: try the next one.
            }
        }
    }

    public HttpClient Anonymous() => CreateClient();

    public HttpClient Admin() => WithToken(AdminToken);

    public HttpClient WithToken(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A real SignalR client of the live stream (<c>/hubs/events</c>), long polling through the test server; not yet started.</summary>
    public HubConnection LiveConnection(string token = AdminToken) => new HubConnectionBuilder()
        .WithUrl(new Uri(Server.BaseAddress, "/hubs/events"), o =>
        {
            o.Transports = HttpTransportType.LongPolling;
            o.HttpMessageHandlerFactory = _ => Server.CreateHandler();
            o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        })
        .Build();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase) await _database.DisposeAsync();
    }
}

/// <summary>One server per test class, over the database kind the class names.</summary>
public abstract class ServerFixture(DatabaseKind kind) : IAsyncLifetime
{
    public PortierServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = new PortierServer(await TestDatabase.CreateAsync(kind), Configure);
        _ = Server.Server;
    }

    /// <summary>Settings or services a test class needs beyond the defaults.</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

public sealed class SqliteServerFixture() : ServerFixture(DatabaseKind.Sqlite);

public sealed class PostgresServerFixture() : ServerFixture(DatabaseKind.Postgres);

/// <summary>A server over SQLite with outbound calls limited as in a default installation: no loopback or private targets.</summary>
public sealed class NoOutboundAllowanceFixture() : ServerFixture(DatabaseKind.Sqlite)
{
    protected override void Configure(IWebHostBuilder builder) => PortierServer.WithoutOutboundAllowance(builder);
}
