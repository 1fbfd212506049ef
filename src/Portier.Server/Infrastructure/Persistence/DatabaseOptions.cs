using System.ComponentModel.DataAnnotations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Portier.Server.Infrastructure.Persistence;

public enum DatabaseProvider { Sqlite, Postgres }

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Folder for the SQLite file and other local state; created on first run.</summary>
    [Required]
    public string DataFolder { get; set; } = "data";

    /// <summary>For PostgreSQL; for SQLite, optional (defaults to portier.db in the data folder).</summary>
    public string? ConnectionString { get; set; }

    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// How long a call waits for a database that does not answer (SQLite locked by another process,
    /// a PostgreSQL lock or connection) before it fails with <c>503 database_unavailable</c>.
    /// Overrides the connection string's own busy, lock and connect timeouts.
    /// </summary>
    [Range(1, 300)]
    public int UnavailableAfterSeconds { get; set; } = 2;

    public TimeSpan UnavailableAfter => TimeSpan.FromSeconds(UnavailableAfterSeconds);

    /// <summary>The SQLite connection string, with the busy retry bounded by <see cref="UnavailableAfterSeconds"/>.</summary>
    public string SqliteConnectionString()
    {
        var configured = ConnectionString;
        if (string.IsNullOrWhiteSpace(configured))
        {
            Directory.CreateDirectory(DataFolder);
            configured = $"Data Source={Path.Combine(DataFolder, "portier.db")}";
        }
        return new SqliteConnectionStringBuilder(configured) { DefaultTimeout = UnavailableAfterSeconds }.ConnectionString;
    }

    /// <summary>
    /// The PostgreSQL connection string with connecting (and waiting for a pooled connection) and
    /// waiting for a row or table lock bounded by <see cref="UnavailableAfterSeconds"/>. Statements
    /// that run long without waiting keep the command timeout (Npgsql's 30 s unless the string sets it).
    /// </summary>
    public string PostgresConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Timeout = UnavailableAfterSeconds };
        var lockTimeout = $"-c lock_timeout={UnavailableAfterSeconds * 1000}";
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? lockTimeout : builder.Options + " " + lockTimeout;
        return builder.ConnectionString;
    }
}
