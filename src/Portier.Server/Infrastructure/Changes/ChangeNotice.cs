using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portier.Server.Infrastructure.Changes;

/// <summary>
/// What a node announces on <see cref="Channel"/> after committing a definition change: itself and the
/// new version of each cache name the change touched, as JSON (readable with <c>LISTEN</c> in psql).
/// </summary>
public sealed record ChangeNotice(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("versions")] IReadOnlyDictionary<string, long> Versions)
{
    public const string Channel = "portier_definitions";

    public string ToPayload() => JsonSerializer.Serialize(this);

    /// <summary>Null for a payload that is not a notice (another program on the channel): nothing to apply.</summary>
    public static ChangeNotice? FromPayload(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<ChangeNotice>(payload) is { Versions: not null } notice ? notice : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
