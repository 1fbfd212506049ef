using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// WAL lets readers proceed during writes; busy_timeout rides out short write contention, and no
/// longer than <see cref="DatabaseOptions.UnavailableAfterSeconds"/>: a file another process keeps
/// locked then fails the call (503 database_unavailable) instead of holding it for half a minute. The
/// settings live as long as the SQLite connection under the pool, so each is set once per
/// connection, not on every open of a pooled one (a scan opens several).
/// </summary>
public sealed class SqlitePragmas(IOptions<DatabaseOptions> options) : DbConnectionInterceptor
{
    private readonly string _pragmas =
        $"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={options.Value.UnavailableAfterSeconds * 1000};";

    private readonly ConditionalWeakTable<object, object> _configured = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Configure(connection);

    /// <summary>Sets the pragmas on an open connection opened outside EF Core, once per native connection.</summary>
    public void Configure(DbConnection connection)
    {
        if (!FirstOpen(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!FirstOpen(connection)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether this is the first open of the native connection (pooled ones keep their handle).</summary>
    private bool FirstOpen(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || _configured.TryAdd(handle, handle);
}
