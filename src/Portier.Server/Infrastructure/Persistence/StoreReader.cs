using System.Data.Common;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// Bulk reads of whole tables with a plain data reader, columns by ordinal, for reads where
/// materializing entities would cost more than the rows (the policy snapshot's hundreds of
/// thousands of people and cards). Commands go through EF Core's own pipeline, so they use the
/// context's connection and transaction and pass its interceptors and logging.
/// Repeated text (person types, tags, tag lists) is shared, so a million rows do not hold a
/// million copies of "Member". Everything returned is read-only and may be shared between rows.
/// </summary>
public sealed class StoreReader(PortierDbContext db)
{
    /// <summary>Distinct values kept for sharing, per kind: repeated values are few; beyond that they are unique and sharing gains nothing.</summary>
    private const int MaxShared = 10_000;

    private static readonly string[] NoStrings = [];
    private static readonly Guid[] NoGuids = [];

    // SQLite stores list columns as JSON text; PostgreSQL as native arrays.
    private readonly bool _json = db.Database.IsSqlite();
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _stringLists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Guid[]> _guidLists = new(StringComparer.Ordinal);
    private byte[] _utf8 = new byte[256];

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

    /// <summary>Runs <paramref name="sql"/> and calls <paramref name="row"/> for each row, in the order the database returns them; <paramref name="key"/> binds the parameter of a <see cref="Key{T}"/> condition.</summary>
    public async Task ReadAsync(string sql, Action<DbDataReader> row, CancellationToken ct, KeyEquals? key = null)
    {
        var builder = db.GetService<IRelationalCommandBuilderFactory>().Create().Append(sql);
        Dictionary<string, object?>? values = null;
        if (key is not null)
        {
            builder.AddParameter(KeyEquals.Parameter, db.GetService<ISqlGenerationHelper>().GenerateParameterName(KeyEquals.Parameter), key.Mapping, nullable: false);
            values = new() { [KeyEquals.Parameter] = key.Id };
        }
        var command = builder.Build();
        var parameters = new RelationalCommandParameterObject(
            db.GetService<IRelationalConnection>(), values, null, db, db.GetService<IRelationalCommandDiagnosticsLogger>());
        await using var reader = await command.ExecuteReaderAsync(parameters, ct);
        var data = reader.DbDataReader;
        while (await data.ReadAsync(ct)) row(data);
    }

    public string Text(DbDataReader row, int ordinal) => Shared(row.GetString(ordinal));

    public string? NullableText(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : Text(row, ordinal);

    public static Instant? NullableInstant(DbDataReader row, int ordinal) =>
        row.IsDBNull(ordinal) ? null : Instant.FromUnixTimeMilliseconds(row.GetInt64(ordinal));

    public static int? NullableInt(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetInt32(ordinal);

    /// <summary>A list-of-text column (a person's tags).</summary>
    public IReadOnlyList<string> Strings(DbDataReader row, int ordinal)
    {
        if (!_json)
        {
            var array = row.GetFieldValue<string[]>(ordinal);
            if (array.Length == 0) return NoStrings;
            for (var i = 0; i < array.Length; i++) array[i] = Shared(array[i]);
            return array;
        }
        var json = row.GetString(ordinal);
        if (_stringLists.TryGetValue(json, out var known)) return known;
        var list = new List<string>();
        var reader = new Utf8JsonReader(Utf8(json));
        while (reader.Read())
            if (reader.TokenType == JsonTokenType.String) list.Add(Shared(reader.GetString()!));
        var parsed = list.Count == 0 ? NoStrings : list.ToArray();
        if (_stringLists.Count < MaxShared) _stringLists.Add(json, parsed);
        return parsed;
    }

    /// <summary>A list-of-ids column (a grant's doors or scopes).</summary>
    public IReadOnlyList<Guid> Guids(DbDataReader row, int ordinal)
    {
        if (!_json)
        {
            var array = row.GetFieldValue<Guid[]>(ordinal);
            return array.Length == 0 ? NoGuids : array;
        }
        var json = row.GetString(ordinal);
        if (_guidLists.TryGetValue(json, out var known)) return known;
        var list = new List<Guid>();
        var reader = new Utf8JsonReader(Utf8(json));
        while (reader.Read())
            if (reader.TokenType == JsonTokenType.String) list.Add(reader.GetGuid());
        var parsed = list.Count == 0 ? NoGuids : list.ToArray();
        if (_guidLists.Count < MaxShared) _guidLists.Add(json, parsed);
        return parsed;
    }

    private ReadOnlySpan<byte> Utf8(string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_utf8.Length < length) _utf8 = new byte[Math.Max(length, _utf8.Length * 2)];
        return _utf8.AsSpan(0, Encoding.UTF8.GetBytes(text, _utf8));
    }

    private string Shared(string text)
    {
        if (_strings.TryGetValue(text, out var shared)) return shared;
        if (_strings.Count < MaxShared) _strings.Add(text, text);
        return text;
    }
}

/// <summary>A condition on a table's key (<see cref="StoreReader.Key{T}"/>) and the value its parameter binds.</summary>
public sealed record KeyEquals(string Sql, RelationalTypeMapping Mapping, Guid Id)
{
    internal const string Parameter = "id";
}
