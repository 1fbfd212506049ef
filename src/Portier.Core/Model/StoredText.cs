using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portier.Core.Model;

/// <summary>A JSON value refused as it is read: the API answers it as a field error, a device message as malformed.</summary>
public abstract class RefusedJsonValueException(string message) : JsonException(message);

/// <summary>A JSON string holding U+0000, which PostgreSQL cannot store in text and no name, code or firmware needs.</summary>
public sealed class NullCharacterException() : RefusedJsonValueException("Must not contain the character U+0000.");

/// <summary>Reads every JSON string, refusing U+0000 before it reaches a handler or the database.</summary>
public sealed class StoredTextConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is not null && text.Contains('\0', StringComparison.Ordinal)) throw new NullCharacterException();
        return text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
