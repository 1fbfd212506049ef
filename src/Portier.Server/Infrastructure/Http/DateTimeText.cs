using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portier.Server.Infrastructure.Http;

/// <summary>
/// Times the API reads must say which instant they mean: <c>2026-12-06T10:00:00</c> without an
/// offset would silently be read in the server's own zone, which is rarely the sender's.
/// </summary>
public static class DateTimeText
{
    public const string Message = "Must be an ISO 8601 date and time with an offset, such as 2026-03-02T09:00:00Z or 2026-03-02T10:00:00+01:00.";

    /// <summary>True when the text has a time part that ends in <c>Z</c> or a numeric offset.</summary>
    public static bool HasOffset(string text)
    {
        var time = text.AsSpan().Trim();
        var t = time.IndexOfAny('T', 't');
        if (t < 0) return false;
        time = time[(t + 1)..];
        return time.EndsWith("Z", StringComparison.OrdinalIgnoreCase) || time.IndexOfAny('+', '-') > 0;
    }
}

/// <summary>A JSON time without an offset; turned into a 400 <c>validation_failed</c> naming the field.</summary>
public sealed class MissingOffsetException() : Portier.Core.Model.RefusedJsonValueException(DateTimeText.Message);

/// <summary>Reads <see cref="DateTimeOffset"/> only with an explicit offset; writes the usual ISO 8601 form.</summary>
public sealed class OffsetRequiredConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && !DateTimeText.HasOffset(reader.GetString()!)) throw new MissingOffsetException();
        return reader.GetDateTimeOffset();
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
