using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Portier.Server.Infrastructure.Http;

/// <summary>
/// Turns unreadable bodies into 400 problems naming the field, and anything unexpected into a 500
/// problem without internals. Expected failures never reach here: endpoints return typed results
/// (a state change an entity refuses answers 409 with the entity's code, should one slip past its endpoint's check).
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail, field) = exception switch
        {
            BadHttpRequestException { InnerException: Portier.Core.Model.RefusedJsonValueException refused } =>
                (400, "validation_failed", "One or more fields are invalid.", FieldOf(refused) ?? "$"),
            BadHttpRequestException { InnerException: JsonException json } =>
                (400, "invalid_json", "The request body is not valid JSON for this endpoint.", FieldOf(json)),
            BadHttpRequestException bad => (bad.StatusCode, Problems.DefaultCode(bad.StatusCode), bad.Message, (string?)null),
            JsonException json => (400, "invalid_json", "The request body is not valid JSON for this endpoint.", FieldOf(json)),
            // An entity refused a state change its rules do not allow; endpoints check first, this is the backstop.
            Portier.Core.Model.TransitionRefusedException refused => (409, refused.Code, refused.Message, null),
            Microsoft.EntityFrameworkCore.DbUpdateException update when IsUniqueViolation(update) =>
                (409, "conflict", "A conflicting object was saved at the same moment; read it and try again.", null),
            _ => (500, "internal_error", "An unexpected error occurred.", null),
        };
        if (status >= 500) LogUnhandled(logger, exception);
        httpContext.Response.StatusCode = status;
        var context = new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail, Extensions = { ["code"] = code } },
        };
        if (field is not null) context.ProblemDetails.Extensions["field"] = field;
        if (exception.InnerException is Portier.Core.Model.RefusedJsonValueException refusedField)
            context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [field!] = [refusedField.Message] };
        return await problems.TryWriteAsync(context);
    }

    /// <summary>A unique index refused the write: two requests raced past the duplicate check.</summary>
    private static bool IsUniqueViolation(Microsoft.EntityFrameworkCore.DbUpdateException update) => update.InnerException switch
    {
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    private static string? FieldOf(JsonException json) =>
        string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : json.Path.TrimStart('$', '.');

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
