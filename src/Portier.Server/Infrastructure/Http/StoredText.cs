using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portier.Server.Infrastructure.Http;

/// <summary>A JSON string holding U+0000, which PostgreSQL cannot store in text and no name or code needs.</summary>
public sealed class NullCharacterException() : FieldRefusedException("Must not contain the character U+0000.");

/// <summary>Reads every JSON string of a request body, refusing U+0000 before it reaches a handler or the database.</summary>
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
