using System.Diagnostics.CodeAnalysis;

namespace Portier.Server.Infrastructure.Http;

/// <summary>An enum in a query string, spelled as in JSON bodies (snake_case names such as <c>force_open</c>; numbers are refused).</summary>
public readonly record struct SnakeCase<T>(T Value) where T : struct, Enum
{
    [SuppressMessage("Design", "CA1000", Justification = "Minimal APIs bind query values through a static TryParse on the parameter type.")]
    public static bool TryParse(string? text, out SnakeCase<T> result)
    {
        result = default;
        if (string.IsNullOrEmpty(text) || !text.All(c => char.IsAsciiLetterLower(c) || c == '_')) return false;
        if (!Enum.TryParse<T>(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var value)) return false;
        result = new SnakeCase<T>(value);
        return true;
    }
}
