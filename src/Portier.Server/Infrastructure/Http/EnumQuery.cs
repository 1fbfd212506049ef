using System.Text.Json;

namespace Portier.Server.Infrastructure.Http;

/// <summary>
/// An enum in the query string, spelled as JSON bodies spell it (snake_case: <c>card</c>,
/// <c>force_open</c>), so a filter accepts exactly the values a response shows. Anything else is a
/// 400 naming the parameter.
/// </summary>
public readonly record struct EnumQuery<T>(T Value) where T : struct, Enum
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "Minimal APIs bind a query value through a static TryParse on its type.")]
    public static bool TryParse(string? text, out EnumQuery<T> result)
    {
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString()), text, StringComparison.Ordinal))
            {
                result = new EnumQuery<T>(value);
                return true;
            }
        }
        result = default;
        return false;
    }

    public override string ToString() => JsonNamingPolicy.SnakeCaseLower.ConvertName(Value.ToString());
}
