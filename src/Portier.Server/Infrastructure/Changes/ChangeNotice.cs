using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portier.Server.Infrastructure.Changes;

/// <summary>
/// What a node announces on <see cref="Channel"/> after committing a definition change: itself, the new
/// version of each cache name the change touched, and, for a name whose caches patch themselves and few
/// rows changed, those rows, as JSON (readable with <c>LISTEN</c> in psql). A name without rows is
/// rebuilt in full by every node that hears it.
/// </summary>
public sealed record ChangeNotice(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("versions")] IReadOnlyDictionary<string, long> Versions,
    [property: JsonPropertyName("rows")] IReadOnlyDictionary<string, IReadOnlyList<NoticedRow>>? Rows = null)
{
    public const string Channel = "portier_definitions";

    /// <summary>
    /// The most rows one notice carries, all names together: PostgreSQL takes a notice payload of under
    /// 8,000 bytes, and a larger change is as cheap to rebuild as to patch.
    /// </summary>
    public const int MaxRows = 64;

    public string ToPayload() => JsonSerializer.Serialize(this);

    /// <summary>The rows behind <paramref name="name"/>'s new version, or null when the notice has none for it.</summary>
    public IReadOnlyList<NoticedRow>? RowsOf(string name) => Rows?.GetValueOrDefault(name);

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

/// <summary>One changed definition row in a notice: its entity type's name, its key and whether it was deleted.</summary>
public sealed record NoticedRow(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("deleted")] bool Deleted);
