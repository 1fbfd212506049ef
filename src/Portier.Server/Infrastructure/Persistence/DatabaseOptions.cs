using System.ComponentModel.DataAnnotations;

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

    public string SqliteConnectionString()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString)) return ConnectionString;
        Directory.CreateDirectory(DataFolder);
        return $"Data Source={Path.Combine(DataFolder, "portier.db")}";
    }
}
