using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Portier.Server.Tests.Fuzzing;

/// <summary>
/// FsCheck generators of edits to a valid JSON document that keep it JSON: one value (or the whole
/// document) replaced by something out of range or of the wrong kind, so the input gets past the
/// parser to the checks behind it. Half the cases edit the text byte by byte instead (<see cref="Edits"/>).
/// </summary>
public static class JsonEdits
{
    private static readonly JsonNode?[] OddValues =
    [
        null, JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(int.MaxValue), JsonValue.Create(long.MinValue), JsonValue.Create(1e300),
        JsonValue.Create(0.5), JsonValue.Create(""), JsonValue.Create(" "), JsonValue.Create(new string('x', 10_000)), JsonValue.Create("\0"),
        JsonValue.Create("00000000-0000-0000-0000-000000000000"), JsonValue.Create("2026-02-30T25:00:00Z"), JsonValue.Create("2026-03-02T09:00:00"),
        JsonValue.Create("9999-12-31T23:59:59+14:00"), JsonValue.Create("0001-01-01T00:00:00-14:00"), JsonValue.Create(true), JsonValue.Create("true"),
        JsonValue.Create("-1"), JsonValue.Create("http://169.254.169.254/"), JsonValue.Create("Europe/Nowhere"), JsonValue.Create("25:99"),
        JsonValue.Create("card"), JsonValue.Create("pin"), JsonValue.Create("1234"), JsonValue.Create(2),
        new JsonArray(), new JsonObject(), new JsonArray(JsonValue.Create((string?)null)),
    ];

    /// <summary>Half the cases replace one value of the sample; the other half edit its text.</summary>
    public static Gen<byte[]> Around(JsonNode sample)
    {
        var text = Encoding.UTF8.GetBytes(sample.ToJsonString());
        var nodes = Walk(sample).Count;
        var replaced =
            from index in Gen.Choose(0, Math.Max(0, nodes - 1))
            from odd in Gen.Elements(OddValues)
            select Encoding.UTF8.GetBytes(Replace(sample, index, odd)?.ToJsonString() ?? "null");
        return Gen.OneOf(replaced, Edits.Of(text));
    }

    private static List<JsonNode> Walk(JsonNode node)
    {
        var all = new List<JsonNode> { node };
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>()) all.AddRange(Walk(child));
        return all;
    }

    /// <summary>A copy of <paramref name="sample"/> with its <paramref name="index"/>-th node (pre-order) replaced; the root is replaced whole.</summary>
    private static JsonNode? Replace(JsonNode sample, int index, JsonNode? odd)
    {
        var copy = sample.DeepClone();
        if (index == 0) return odd?.DeepClone();
        var target = Walk(copy)[index];
        switch (target.Parent)
        {
            case JsonObject parent: parent[target.GetPropertyName()] = odd?.DeepClone(); break;
            case JsonArray array: array[target.GetElementIndex()] = odd?.DeepClone(); break;
        }
        return copy;
    }
}
