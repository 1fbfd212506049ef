using System.Globalization;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// The values of a statement for <c>ExecuteSqlRawAsync</c> whose shape depends on its data (an IN
/// list, a CASE per row): each value is added where the text uses it, the text gets only its
/// placeholder (<c>{n}</c>), and every value travels as a parameter.
/// </summary>
public sealed class SqlArguments
{
    private readonly List<object> _values = [];

    public IReadOnlyList<object> Values => _values;

    /// <summary>Adds one value; returns its placeholder.</summary>
    public string Add(object value)
    {
        _values.Add(value);
        return string.Create(CultureInfo.InvariantCulture, $"{{{_values.Count - 1}}}");
    }

    /// <summary>Adds each value; returns their placeholders separated by commas, for an IN list.</summary>
    public string AddList<T>(IEnumerable<T> values) where T : notnull => string.Join(", ", values.Select(v => Add(v)));
}
