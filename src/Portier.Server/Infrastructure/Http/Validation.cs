namespace Portier.Server.Infrastructure.Http;

/// <summary>A request body that checks its own fields before anything is read or written.</summary>
public interface IValidatable
{
    void Validate(ValidationErrors errors);
}

public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
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
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}

/// <summary>Runs <see cref="IValidatable.Validate"/> on every body argument of an endpoint, and <see cref="QueryChecks"/> on its query.</summary>
public sealed class ValidationFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var errors = new ValidationErrors();
        QueryChecks.Validate(context.HttpContext, errors);
        foreach (var argument in context.Arguments)
        {
            if (argument is IValidatable validatable) validatable.Validate(errors);
        }
        return errors.Any ? Problems.Validation(errors.ToDictionary()) : await next(context);
    }
}
