using Npgsql;

namespace Portier.Server.Tests.Infrastructure;

public enum DatabaseKind { Sqlite, Postgres }

/// <summary>A throwaway database: a temp SQLite file, or a fresh database on the test PostgreSQL cluster.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "PORTIER_TEST_POSTGRES";

    private readonly string? _postgresName;

    private TestDatabase(DatabaseKind kind, string connectionString, string dataFolder, string? postgresName)
    {
        Kind = kind;
        ConnectionString = connectionString;
        DataFolder = dataFolder;
        _postgresName = postgresName;
    }

    public DatabaseKind Kind { get; }
    public string ConnectionString { get; }

    /// <summary>A folder of this database's own for the SQLite file, keys and the mail pickup folder.</summary>
    public string DataFolder { get; }

    public static async Task<TestDatabase> CreateAsync(DatabaseKind kind)
    {
        var folder = Directory.CreateTempSubdirectory("portier-test-").FullName;
        if (kind == DatabaseKind.Sqlite)
            return new TestDatabase(kind, $"Data Source={Path.Combine(folder, "portier.db")}", folder, null);
        var admin = AdminConnectionString();
        var name = "portier_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase(kind, builder.ConnectionString, folder, name);
    }

    private static string AdminConnectionString() =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{PostgresVariable} is not set. Run the tests with scripts/test.sh, which starts a throwaway PostgreSQL cluster.");

    public async ValueTask DisposeAsync()
    {
        if (_postgresName is null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            DeleteFolder();
            return;
        }
        DeleteFolder();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private void DeleteFolder()
    {
        try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { }
    }
}
