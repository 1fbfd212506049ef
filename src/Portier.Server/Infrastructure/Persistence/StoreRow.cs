using System.Data.Common;
using System.Text;
using System.Text.Json;
using NodaTime;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// The current row of a <see cref="StoreReader"/> read, columns by ordinal, valid only while the row's callback runs.
/// Repeated text (person types, tags, tag lists) is shared, so a million rows do not hold a million copies of
/// "Member"; everything returned is read-only and may be shared between rows.
/// </summary>
public abstract class StoreRow
{
    public abstract bool IsNull(int ordinal);

    public abstract Guid Id(int ordinal);

    public abstract bool Flag(int ordinal);

    public abstract long Number(int ordinal);

    /// <summary>Text that repeats between rows (a type, a status), held once.</summary>
    public abstract string Text(int ordinal);

    /// <summary>Text that is different in every row (a card number): not looked up for sharing.</summary>
    public abstract string UniqueText(int ordinal);

    /// <summary>A list-of-text column (a person's tags).</summary>
    public abstract IReadOnlyList<string> Strings(int ordinal);

    /// <summary>A list-of-ids column (a grant's doors or scopes).</summary>
    public abstract IReadOnlyList<Guid> Guids(int ordinal);

    /// <summary>A value object stored as one JSON text column (<see cref="JsonColumn"/>).</summary>
    public abstract T Json<T>(int ordinal);

    public string? NullableText(int ordinal) => IsNull(ordinal) ? null : Text(ordinal);

    public Instant? NullableInstant(int ordinal) => IsNull(ordinal) ? null : Instant.FromUnixTimeMilliseconds(Number(ordinal));

    public int? NullableInt(int ordinal) => IsNull(ordinal) ? null : checked((int)Number(ordinal));
}

/// <summary>
/// A row of a provider's own data reader: list columns are native arrays on PostgreSQL, JSON text on SQLite
/// (<paramref name="jsonLists"/>).
/// </summary>
internal sealed class DataReaderRow(SharedValues shared, bool jsonLists) : StoreRow
{
    private static readonly string[] NoStrings = [];
    private static readonly Guid[] NoGuids = [];

    public DbDataReader Reader { get; set; } = null!;

    public override bool IsNull(int ordinal) => Reader.IsDBNull(ordinal);

    public override Guid Id(int ordinal) => Reader.GetGuid(ordinal);

    public override bool Flag(int ordinal) => Reader.GetBoolean(ordinal);

    public override long Number(int ordinal) => Reader.GetInt64(ordinal);

    public override string Text(int ordinal) => shared.Text(Reader.GetString(ordinal));

    public override string UniqueText(int ordinal) => Reader.GetString(ordinal);

    public override IReadOnlyList<string> Strings(int ordinal)
    {
        if (jsonLists)
        {
            var json = Reader.GetString(ordinal);
            return shared.StringList(json, Encoding.UTF8.GetBytes(json));
        }
        var array = Reader.GetFieldValue<string[]>(ordinal);
        if (array.Length == 0) return NoStrings;
        for (var i = 0; i < array.Length; i++) array[i] = shared.Text(array[i]);
        return array;
    }

    public override IReadOnlyList<Guid> Guids(int ordinal)
    {
        if (jsonLists)
        {
            var json = Reader.GetString(ordinal);
            return shared.GuidList(json, Encoding.UTF8.GetBytes(json));
        }
        var array = Reader.GetFieldValue<Guid[]>(ordinal);
        return array.Length == 0 ? NoGuids : array;
    }

    public override T Json<T>(int ordinal) => JsonColumn.Deserialize<T>(Reader.GetString(ordinal));
}

/// <summary>
/// Distinct values kept for sharing: repeated values are few, so beyond <see cref="MaxShared"/> of a kind they are
/// unique and sharing gains nothing. Looked up by characters, so a value already held costs no new string.
/// </summary>
internal sealed class SharedValues
{
    private const int MaxShared = 10_000;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _stringLists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Guid[]> _guidLists = new(StringComparer.Ordinal);

    public string Text(string text) => Text(text.AsSpan(), text);

    /// <summary>The held copy of <paramref name="chars"/>; <paramref name="text"/>, when given, is the same characters as a string already made.</summary>
    public string Text(ReadOnlySpan<char> chars, string? text = null)
    {
        if (_strings.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var shared)) return shared;
        text ??= new string(chars);
        if (_strings.Count < MaxShared) _strings.Add(text, text);
        return text;
    }

    /// <summary>A JSON list of strings, parsed once per distinct text.</summary>
    public string[] StringList(ReadOnlySpan<char> json, ReadOnlySpan<byte> utf8)
    {
        var lookup = _stringLists.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(json, out var known)) return known;
        var list = new List<string>();
        var reader = new Utf8JsonReader(utf8);
        Span<char> buffer = stackalloc char[128];
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.String) continue;
            if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= buffer.Length)
                list.Add(Text(buffer[..System.Text.Encoding.UTF8.GetChars(reader.ValueSpan, buffer)]));
            else
                list.Add(Text(reader.GetString()!));
        }
        var parsed = list.ToArray();
        if (_stringLists.Count < MaxShared) lookup.TryAdd(json, parsed);
        return parsed;
    }

    /// <summary>A JSON list of ids, parsed once per distinct text.</summary>
    public Guid[] GuidList(ReadOnlySpan<char> json, ReadOnlySpan<byte> utf8)
    {
        var lookup = _guidLists.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(json, out var known)) return known;
        var list = new List<Guid>();
        var reader = new Utf8JsonReader(utf8);
        while (reader.Read())
            if (reader.TokenType == JsonTokenType.String) list.Add(reader.GetGuid());
        var parsed = list.ToArray();
        if (_guidLists.Count < MaxShared) lookup.TryAdd(json, parsed);
        return parsed;
    }
}
