using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Logging;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Infrastructure.Http;

/// <summary>
/// Turns unreadable bodies into 400 problems naming the field, and anything unexpected into a 500
/// problem without internals. Expected failures never reach here: endpoints return typed results
/// (a state change an entity refuses answers 409 with the entity's code, should one slip past its endpoint's check).
/// A database that does not answer in time is no fault of the request: 503 <c>database_unavailable</c> with a Retry-After.
/// </summary>
public sealed partial class ApiExceptionHandler(
    IProblemDetailsService problems, IOptions<DatabaseOptions> database, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
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
            _ when DbErrors.IsUnavailable(exception) =>
                (503, DatabaseUnavailable, "The database did not answer in time. Try again shortly.", null),
            _ => (500, "internal_error", "An unexpected error occurred.", null),
        };
        if (code == DatabaseUnavailable)
        {
            LogDatabaseUnavailable(logger, httpContext.Request.Method, LogSafe.Escape(httpContext.Request.Path.Value), LogSafe.Escape(exception.GetBaseException().Message));
            httpContext.Response.Headers.RetryAfter = database.Value.UnavailableAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status >= 500) LogUnhandled(logger, exception);
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

    public const string DatabaseUnavailable = "database_unavailable";

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the database is unavailable ({Error})")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string method, string path, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
