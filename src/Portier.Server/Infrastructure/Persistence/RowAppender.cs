using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// Inserts new rows of one entity type straight through the context's open connection and
/// transaction, with the table, columns and value conversions of the EF Core model, but without
/// the change tracker: for the access log's hot path, where every row is new and never read back.
/// Interceptors do not see these rows, so it is only for types that are neither audited nor
/// definitions (see <see cref="DefinitionChangeInterceptor"/>), and every column must be given a
/// value by the application (no database-generated keys).
/// </summary>
public static class RowAppender
{
    /// <summary>
    /// SQLite runs in process, so one prepared single-row statement executed per row is cheapest
    /// (Microsoft.Data.Sqlite binds parameters by name, so wide multi-row statements cost the square
    /// of their size); PostgreSQL pays a round trip per statement, so rows go in multi-row statements.
    /// </summary>
    private const int PostgresRowsPerStatement = 100;

    private static readonly ConcurrentDictionary<IEntityType, Table> Tables = new();

    /// <summary>Inserts <paramref name="rows"/>; the caller's transaction must be open on <paramref name="db"/>.</summary>
    public static async Task AppendRowsAsync<T>(this PortierDbContext db, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        if (rows.Count == 0) return;
        var entityType = db.Model.FindEntityType(typeof(T))
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not part of the model.");
        var table = Tables.GetOrAdd(entityType, type => new Table(type));
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Rows are appended inside the caller's transaction.");
        if (db.Database.IsSqlite())
        {
            await AppendOneByOneAsync(table, transaction, rows, ct);
            return;
        }
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction;
        foreach (var chunk in rows.Chunk(PostgresRowsPerStatement))
        {
            command.CommandText = table.InsertSql(chunk.Length);
            command.Parameters.Clear();
            var index = 0;
            foreach (var row in chunk) index = Bind(command, table, row, index);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// SQLite: one single-row statement per table, kept on the connection. Microsoft.Data.Sqlite keeps a command's
    /// statement prepared while its connection stays open, so on a connection kept open (the access log writer's)
    /// SQLite parses the INSERT once instead of in every group commit; after a close it is prepared again on its own.
    /// </summary>
    private static async Task AppendOneByOneAsync<T>(Table table, DbTransaction transaction, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        var insert = table.InsertSql(1);
        var kept = Kept.GetValue(transaction.Connection!, _ => []);
        if (!kept.TryGetValue(table, out var command))
        {
            command = transaction.Connection!.CreateCommand();
            command.CommandText = insert;
            kept[table] = command;
        }
        command.Transaction = transaction;
        foreach (var row in rows)
        {
            command.Parameters.Clear();
            Bind(command, table, row, 0);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The single-row INSERT per table kept on each connection (a connection serves one caller at a time).</summary>
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<Table, DbCommand>> Kept = new();

    /// <summary>Adds <paramref name="row"/>'s values as parameters from number <paramref name="index"/> on; returns the number after them.</summary>
    private static int Bind(DbCommand command, Table table, object row, int index)
    {
        foreach (var column in table.Columns)
        {
            var value = column.Getter.GetClrValueUsingContainingEntity(row);
            command.Parameters.Add(column.Mapping.CreateParameter(command, table.ParameterName(index++), value, column.Nullable));
        }
        return index;
    }

    /// <summary>One entity type's columns and its INSERT statements by number of rows.</summary>
    private sealed class Table
    {
        private readonly string _prefix;
        private readonly ConcurrentDictionary<int, string> _statements = new();
        private readonly string[] _parameterNames;

        public Table(IEntityType entityType)
        {
            var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
            var properties = entityType.GetProperties().ToList();
            Columns = [.. properties.Select(p => new Column(p.GetGetter(), (RelationalTypeMapping)p.GetRelationalTypeMapping(), p.IsNullable))];
            _prefix = "INSERT INTO \"" + table.Name + "\" (" + string.Join(", ", properties.Select(p => "\"" + p.GetColumnName(table) + "\"")) + ") VALUES ";
            // No statement holds more rows than PostgreSQL's.
            _parameterNames = [.. Enumerable.Range(0, PostgresRowsPerStatement * Columns.Length).Select(i => "@p" + i)];
        }

        public Column[] Columns { get; }

        public string InsertSql(int rows) => _statements.GetOrAdd(rows, count =>
        {
            var sql = new StringBuilder(_prefix);
            for (var row = 0; row < count; row++)
            {
                if (row > 0) sql.Append(", ");
                sql.Append('(').AppendJoin(", ", Enumerable.Range(row * Columns.Length, Columns.Length).Select(ParameterName)).Append(')');
            }
            return sql.ToString();
        });

        public string ParameterName(int index) => _parameterNames[index];
    }

    private sealed record Column(IClrPropertyGetter Getter, RelationalTypeMapping Mapping, bool Nullable);
}
