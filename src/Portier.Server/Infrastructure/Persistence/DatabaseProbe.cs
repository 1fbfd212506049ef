using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// Asks the database, on a connection of its own, whether it would take a write now, and answers
/// within <see cref="Timeout"/> whatever the database does. SQLite: the write lock can be had (a file
/// another process keeps locked answers no, though reads still work). PostgreSQL: the server answers
/// and is not a read-only standby.
/// </summary>
public sealed class DatabaseProbe(IOptions<DatabaseOptions> options)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>Null when the database answered; otherwise why not, for the health report.</summary>
    public async Task<string?> FailureAsync(CancellationToken ct)
    {
        var probe = options.Value.Provider == DatabaseProvider.Postgres ? PostgresAsync(ct) : SqliteAsync(ct);
        try
        {
            return await probe.WaitAsync(Timeout, ct);
        }
        catch (TimeoutException)
        {
            // The probe goes on alone on its own connection; its end is of no interest any more.
            _ = probe.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return $"The database did not answer within {Timeout.TotalSeconds:0} s.";
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return e.Message;
        }
    }

    private async Task<string?> SqliteAsync(CancellationToken ct)
    {
        // Not pooled: disposing the connection ends whatever the probe began, even if it was abandoned.
        var builder = new SqliteConnectionStringBuilder(options.Value.SqliteConnectionString())
        {
            Pooling = false,
            Mode = SqliteOpenMode.ReadWrite,
            DefaultTimeout = (int)Timeout.TotalSeconds,
        };
        await using var connection = new SqliteConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        // One statement per command: a busy error in a later statement of one command is not reported.
        foreach (var statement in (string[])["PRAGMA busy_timeout=0;", "BEGIN IMMEDIATE;", "ROLLBACK;"])
        {
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(ct);
        }
        return null;
    }

    private async Task<string?> PostgresAsync(CancellationToken ct)
    {
        // Not pooled either: a pooled connection may be one the network already cut, or a healthy one hiding that new ones fail.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.Value.PostgresConnectionString()) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection) { CommandTimeout = (int)Timeout.TotalSeconds };
        return await command.ExecuteScalarAsync(ct) is true ? "The PostgreSQL server is a read-only standby." : null;
    }
}
