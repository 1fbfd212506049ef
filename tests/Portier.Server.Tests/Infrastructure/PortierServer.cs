using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Portier.Server.Tests.Infrastructure;

/// <summary>The real server over a real database, with a controllable clock and a full-access admin token.</summary>
public sealed class PortierServer : WebApplicationFactory<Program>
{
    public const string AdminToken = "ptr_test-admin-token-0123456789abcdef";

    private readonly TestDatabase _database;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly bool _ownsDatabase;

    /// <param name="settings">Extra configuration, such as webhook options.</param>
    /// <param name="ownsDatabase">False keeps the database after disposal, so a second server can start on it (a restart).</param>
    public PortierServer(TestDatabase database, IReadOnlyDictionary<string, string?>? settings = null, bool ownsDatabase = true)
    {
        _database = database;
        _settings = settings ?? new Dictionary<string, string?>();
        _ownsDatabase = ownsDatabase;
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public DatabaseKind Kind => _database.Kind;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", _database.Kind.ToString());
        builder.UseSetting("Database:ConnectionString", _database.ConnectionString);
        builder.UseSetting("Database:DataFolder", _database.DataFolder);
        builder.UseSetting("PORTIER_ADMIN_TOKEN", AdminToken);
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public HttpClient Anonymous() => CreateClient();

    public HttpClient Admin() => WithToken(AdminToken);

    public HttpClient WithToken(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

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
        Server = new PortierServer(await TestDatabase.CreateAsync(kind));
        _ = Server.Server;
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

public sealed class SqliteServerFixture() : ServerFixture(DatabaseKind.Sqlite);

public sealed class PostgresServerFixture() : ServerFixture(DatabaseKind.Postgres);
