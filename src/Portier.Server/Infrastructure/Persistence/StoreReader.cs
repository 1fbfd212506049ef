using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// Bulk reads of whole tables, columns by ordinal, for reads where materializing entities would cost more
/// than the rows (the policy snapshot's hundreds of thousands of people and cards). On PostgreSQL commands go
/// through EF Core's own pipeline (the context's connection and transaction, its interceptors and logging); on
/// SQLite the statement runs on the context's native connection handle, so each text column is read as the
/// UTF-8 bytes SQLite holds rather than as a new string (<see cref="SqliteStoreRow"/>).
/// </summary>
public sealed class StoreReader(PortierDbContext db)
{
    private readonly bool _sqlite = db.Database.IsSqlite();

    /// <summary>"SELECT the columns of <paramref name="properties"/> FROM the table of <typeparamref name="T"/>", names from the model.</summary>
    public static string Select<T>(PortierDbContext db, params string[] properties) where T : class
    {
        var table = StoreTable.Of<T>(db);
        return "SELECT " + string.Join(", ", properties.Select(table.Column)) + " FROM " + table.Name;
    }

    /// <summary>
    /// The condition "key of <typeparamref name="T"/> = <paramref name="id"/>", to follow WHERE or AND in a <see cref="Select{T}"/>
    /// read by <see cref="ReadAsync"/>: the same columns read for one row (a change to one person) as for the whole table.
    /// </summary>
    public static KeyEquals Key<T>(PortierDbContext db, Guid id) where T : class
    {
        var key = db.Model.FindEntityType(typeof(T))!.FindPrimaryKey()!.Properties.Single();
        var placeholder = db.GetService<ISqlGenerationHelper>().GenerateParameterNamePlaceholder(KeyEquals.Parameter);
        return new KeyEquals(StoreTable.Of<T>(db).Column(key.Name) + " = " + placeholder, key.GetRelationalTypeMapping(), id);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> and calls <paramref name="row"/> for each row, in the order the database returns them;
    /// <paramref name="key"/> binds the parameter of a <see cref="Key{T}"/> condition. A read of one row goes through EF Core's
    /// command pipeline on either database (it binds the key as EF Core stores it); a whole table on SQLite goes native.
    /// </summary>
    public Task ReadAsync(string sql, Action<StoreRow> row, CancellationToken ct, KeyEquals? key = null) =>
        _sqlite && key is null ? ReadSqliteAsync(sql, row, ct) : ReadDataAsync(sql, row, key, ct);

    private async Task ReadDataAsync(string sql, Action<StoreRow> row, KeyEquals? key, CancellationToken ct)
    {
        var builder = db.GetService<IRelationalCommandBuilderFactory>().Create().Append(sql);
        Dictionary<string, object?>? values = null;
        if (key is not null)
        {
            builder.AddParameter(KeyEquals.Parameter, db.GetService<ISqlGenerationHelper>().GenerateParameterName(KeyEquals.Parameter), key.Mapping, nullable: false);
            values = new() { [KeyEquals.Parameter] = key.Id };
        }
        var parameters = new RelationalCommandParameterObject(
            db.GetService<IRelationalConnection>(), values, null, db, db.GetService<IRelationalCommandDiagnosticsLogger>());
        await using var reader = await builder.Build().ExecuteReaderAsync(parameters, ct);
        var current = new DataReaderRow(new SharedValues(), jsonLists: _sqlite) { Reader = reader.DbDataReader };
        while (await current.Reader.ReadAsync(ct)) row(current);
    }

    /// <summary>
    /// Whether reads may run side by side: SQLite outside a transaction, where each read opens a connection of its
    /// own (WAL lets readers proceed together). Inside a transaction, or on PostgreSQL, reads share the context's
    /// connection and must run one after the other.
    /// </summary>
    public bool SideBySide => _sqlite && db.Database.CurrentTransaction is null && !InMemory;

    /// <summary>A database in memory is seen only through the connection that made it.</summary>
    private bool InMemory
    {
        get
        {
            var connection = new SqliteConnectionStringBuilder(db.Database.GetConnectionString());
            return connection.Mode == SqliteOpenMode.Memory || connection.DataSource is "" or ":memory:";
        }
    }

    private async Task ReadSqliteAsync(string sql, Action<StoreRow> row, CancellationToken ct)
    {
        if (!SideBySide)
        {
            // Opened through the context, so the connection gets its pragmas and the open transaction applies.
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                Step(((SqliteConnection)db.Database.GetDbConnection()).Handle!, sql, row, ct);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
            return;
        }
        // A native connection of its own, not from the pool (pooled ones keep the pragmas the context set on them),
        // and without SQLite's per-connection mutex: only this read uses it, and every column read would take it.
        var source = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        var opened = raw.sqlite3_open_v2(source, out var handle, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_NOMUTEX, null);
        using (handle)
        {
            Check(opened, handle);
            raw.sqlite3_busy_timeout(handle, (db.Database.GetCommandTimeout() ?? 30) * 1000);
            Step(handle, sql, row, ct);
        }
    }

    private static void Step(sqlite3 handle, string sql, Action<StoreRow> row, CancellationToken ct)
    {
        Check(raw.sqlite3_prepare_v2(handle, sql, out var statement), handle);
        using (statement)
        {
            var current = new SqliteStoreRow(statement, new SharedValues());
            int result;
            for (var rows = 0; (result = raw.sqlite3_step(statement)) == raw.SQLITE_ROW; rows++)
            {
                if ((rows & 0xFFF) == 0) ct.ThrowIfCancellationRequested();
                row(current);
            }
            if (result != raw.SQLITE_DONE) Check(result, handle);
        }
    }

    private static void Check(int result, sqlite3 handle) => SqliteException.ThrowExceptionForRC(result, handle);
}

/// <summary>A condition on a table's key (<see cref="StoreReader.Key{T}"/>) and the value its parameter binds.</summary>
public sealed record KeyEquals(string Sql, RelationalTypeMapping Mapping, Guid Id)
{
    internal const string Parameter = "id";
}
