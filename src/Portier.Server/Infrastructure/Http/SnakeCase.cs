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

/// <summary>
/// Each value of an enum spelled as JSON spells it (<c>credential_revoked</c>), worked out once per value
/// rather than on every response that names one.
/// </summary>
public static class SnakeCaseNames
{
    public static string Of<T>(T value) where T : struct, Enum =>
        Names<T>.All.TryGetValue(value, out var name) ? name : Spell(value);

    private static string Spell<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static class Names<T> where T : struct, Enum
    {
        public static readonly System.Collections.Frozen.FrozenDictionary<T, string> All =
            System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(Enum.GetValues<T>().Distinct(), v => v, v => Spell(v));
    }
}
