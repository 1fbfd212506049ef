using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components.Api;

/// <summary>A path under the API built from a feature's route constants: <c>To(DoorsRoutes.Group, ApiRoutes.Item, id)</c> is <c>/api/v1/doors/{id}</c>.</summary>
internal static partial class Route
{
    /// <summary>The group's path with the template's parameters (<c>{id:guid}</c>, <c>{reference}</c>) filled in order from <paramref name="values"/>.</summary>
    public static string To(string group, string template = ApiRoutes.Root, params object[] values)
    {
        var next = 0;
        var path = Parameter().Replace(template, _ => next < values.Length
            ? Uri.EscapeDataString(Query.Format(values[next++]))
            : throw new ArgumentException($"The route {template} needs more values than the {values.Length} given.", nameof(values)));
        if (next != values.Length) throw new ArgumentException($"The route {template} takes {next} values, not {values.Length}.", nameof(values));
        return ApiRoutes.Prefix + group + path.TrimEnd('/');
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}

/// <summary>A query string; values left null are left out, so optional filters need no conditions at the call.</summary>
public sealed class Query
{
    private readonly StringBuilder _text = new();

    public Query Add(string name, object? value)
    {
        if (value is null) return this;
        _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(Format(value)));
        return this;
    }

    public Query AddEach<T>(string name, IEnumerable<T> values)
    {
        foreach (var value in values) Add(name, value);
        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>A value as the API reads it: invariant numbers, lower-case booleans, snake_case enums, round-trip times.</summary>
    internal static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        Enum e => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()),
        DateTimeOffset at => at.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
