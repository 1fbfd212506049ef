namespace Portier.Server.Infrastructure.Http;

/// <summary>A request body that checks its own fields before anything is read or written.</summary>
public interface IValidatable
{
    void Validate(ValidationErrors errors);
}

public sealed class ValidationErrors
{
    // Made on the first error: most requests have none.
    private Dictionary<string, List<string>>? _errors;

    public bool Any => _errors is { Count: > 0 };

    public void Add(string field, string message)
    {
        _errors ??= new(StringComparer.Ordinal);
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public void Require(bool condition, string field, string message)
    {
        if (!condition) Add(field, message);
    }

    public void Range(double value, double min, double max, string field) =>
        Require(value >= min && value <= max, field, $"Must be between {min} and {max}.");

    public void NotBlank(string? value, string field, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, "Is required.");
        else if (value.Length > maxLength) Add(field, $"Must be at most {maxLength} characters.");
    }

    /// <summary>A list of names or ids where each entry appears once; names must not be blank.</summary>
    public void Distinct<T>(IReadOnlyList<T>? values, string field, int maxCount = 1000)
    {
        if (values is null) return;
        Require(values.Count <= maxCount, field, $"At most {maxCount} entries.");
        if (values.Any(v => v is null || (v is string s && string.IsNullOrWhiteSpace(s)))) Add(field, "Entries must not be blank.");
        else if (values.Distinct().Count() != values.Count) Add(field, "Entries must not repeat.");
    }

    public IDictionary<string, string[]> ToDictionary() =>
        (_errors ?? []).ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}

/// <summary>
/// Runs <see cref="IValidatable.Validate"/> on every body argument of an endpoint, and <see cref="QueryChecks"/> on its query.
/// What an endpoint needs checked is worked out once from its handler's parameters when the endpoint is built:
/// an endpoint with neither a body that validates itself nor a query value to check gets no filter at all.
/// </summary>
public static class ValidationFilter
{
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var parameters = context.MethodInfo.GetParameters();
        // By declared type: a body is read as the type its parameter declares.
        int[] bodies = [.. Enumerable.Range(0, parameters.Length).Where(i => typeof(IValidatable).IsAssignableFrom(Nullable.GetUnderlyingType(parameters[i].ParameterType) ?? parameters[i].ParameterType))];
        var query = QueryChecks.For(context.MethodInfo);
        if (bodies.Length == 0 && query.Length == 0) return next;
        return invocation =>
        {
            var errors = new ValidationErrors();
            QueryChecks.Validate(invocation.HttpContext, query, errors);
            foreach (var i in bodies)
            {
                if (invocation.Arguments[i] is IValidatable validatable) validatable.Validate(errors);
            }
            return errors.Any ? ValueTask.FromResult<object?>(Problems.Validation(errors.ToDictionary())) : next(invocation);
        };
    }
}
