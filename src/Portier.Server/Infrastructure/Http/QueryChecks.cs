using System.Globalization;
using System.Reflection;

namespace Portier.Server.Infrastructure.Http;

/// <summary>
/// Query values the binder would take but the API refuses: <c>page</c> and <c>pageSize</c> outside
/// their documented range (never clamped silently), and times without an offset. Runs with the body
/// validation, before the handler, over the parameters the endpoint's handler declares.
/// </summary>
public static class QueryChecks
{
    /// <summary>The query values of <paramref name="method"/>'s parameters that are checked: times, and the page and its size.</summary>
    public static (string Name, Type Type)[] For(MethodInfo method) =>
        [.. QueryParametersOf(method).Where(p => p.Type == typeof(DateTimeOffset) || (p.Type == typeof(int) && p.Name is "page" or "pageSize"))];

    public static void Validate(HttpContext http, (string Name, Type Type)[] checks, ValidationErrors errors)
    {
        foreach (var (name, type) in checks)
        {
            if (!http.Request.Query.TryGetValue(name, out var raw) || raw.Count == 0) continue;
            var text = raw.ToString();
            if (type == typeof(DateTimeOffset))
                errors.Require(DateTimeText.HasOffset(text), name, DateTimeText.Message);
            else if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                PageRequest.Validate(name == "page" ? value : null, name == "pageSize" ? value : null, errors);
        }
    }

    /// <summary>The handler's simple parameters, and the properties of its <c>[AsParameters]</c> groups, by query name.</summary>
    private static (string Name, Type Type)[] QueryParametersOf(MethodInfo method) =>
        [.. method.GetParameters().SelectMany(p => p.GetCustomAttribute<AsParametersAttribute>() is null
            ? [(p.Name!, Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType)]
            : p.ParameterType.GetProperties().Select(q => (JsonName(q.Name), Nullable.GetUnderlyingType(q.PropertyType) ?? q.PropertyType)))];

    private static string JsonName(string property) => char.ToLowerInvariant(property[0]) + property[1..];
}
