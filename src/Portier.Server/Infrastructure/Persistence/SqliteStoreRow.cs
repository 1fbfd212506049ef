using System.Buffers.Text;
using System.Text;
using SQLitePCL;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// A row of a SQLite statement read through the native API: text columns (ids, tags, JSON lists) are read as the
/// UTF-8 bytes SQLite holds, so an id is parsed without a string and a repeated value costs no new one. The caller
/// keeps <paramref name="statement"/> open while the row is read (<see cref="SqliteColumns"/> reads by its native handle).
/// </summary>
internal sealed class SqliteStoreRow(sqlite3_stmt statement, SharedValues shared) : StoreRow
{
    private readonly nint _statement = statement.DangerousGetHandle();

    /// <summary>Longer text than this is decoded to a string before it is looked up.</summary>
    private const int StackChars = 256;

    public override bool IsNull(int ordinal) => SqliteColumns.Type(_statement, ordinal) == raw.SQLITE_NULL;

    public override Guid Id(int ordinal)
    {
        var bytes = SqliteColumns.Bytes(_statement, ordinal);
        // EF Core stores an id as its text; a 16-byte blob is the binary form Microsoft.Data.Sqlite also reads.
        if (bytes.Length == 16 && SqliteColumns.Type(_statement, ordinal) == raw.SQLITE_BLOB) return new Guid(bytes);
        return Utf8Parser.TryParse(bytes, out Guid id, out var read) && read == bytes.Length
            ? id
            : throw new FormatException($"Column {ordinal} holds no id: '{Encoding.UTF8.GetString(bytes)}'.");
    }

    public override bool Flag(int ordinal) => SqliteColumns.Int64(_statement, ordinal) != 0;

    public override long Number(int ordinal) => SqliteColumns.Int64(_statement, ordinal);

    public override string Text(int ordinal)
    {
        var bytes = SqliteColumns.Bytes(_statement, ordinal);
        if (bytes.Length > StackChars) return shared.Text(Encoding.UTF8.GetString(bytes));
        Span<char> chars = stackalloc char[StackChars];
        return shared.Text(chars[..Encoding.UTF8.GetChars(bytes, chars)]);
    }

    public override string UniqueText(int ordinal) => Encoding.UTF8.GetString(SqliteColumns.Bytes(_statement, ordinal));

    public override IReadOnlyList<string> Strings(int ordinal)
    {
        var bytes = SqliteColumns.Bytes(_statement, ordinal);
        if (bytes.Length > StackChars) return shared.StringList(Encoding.UTF8.GetString(bytes), bytes);
        Span<char> chars = stackalloc char[StackChars];
        return shared.StringList(chars[..Encoding.UTF8.GetChars(bytes, chars)], bytes);
    }

    public override IReadOnlyList<Guid> Guids(int ordinal)
    {
        var bytes = SqliteColumns.Bytes(_statement, ordinal);
        if (bytes.Length > StackChars) return shared.GuidList(Encoding.UTF8.GetString(bytes), bytes);
        Span<char> chars = stackalloc char[StackChars];
        return shared.GuidList(chars[..Encoding.UTF8.GetChars(bytes, chars)], bytes);
    }

    public override T Json<T>(int ordinal) => JsonColumn.Deserialize<T>(SqliteColumns.Bytes(_statement, ordinal));
}
