using Microsoft.AspNetCore.Http.HttpResults;

namespace Portier.Server.Infrastructure.Http;

/// <summary>Every error answer is an RFC 9457 problem with a stable machine-readable <c>code</c>.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what) =>
        Make(StatusCodes.Status404NotFound, "not_found", $"{what} was not found.");

    public static ProblemHttpResult Conflict(string code, string detail, string? field = null) =>
        Make(StatusCodes.Status409Conflict, code, detail, field);

    public static ProblemHttpResult BadRequest(string code, string detail, string? field = null) =>
        Make(StatusCodes.Status400BadRequest, code, detail, field);

    public static ProblemHttpResult Make(int status, string code, string detail, string? field = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (field is not null) extensions["field"] = field;
        return TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions);
    }

    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "One or more fields are invalid.",
            extensions: new Dictionary<string, object?> { ["code"] = "validation_failed" });

    /// <summary>A 400 for one field that passed its shape checks but names something that is not there (an unknown id).</summary>
    public static ValidationProblem Invalid(string code, string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["field"] = field });

    /// <summary>Objects never move between sites: an update naming another site is refused.</summary>
    public static ValidationProblem SiteImmutable(string what) =>
        Invalid("site_immutable", "siteId", $"A {what} cannot move to another site.");

    public static string DefaultCode(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "too_many_requests",
        _ when status >= 500 => "internal_error",
        _ => "error",
    };
}
