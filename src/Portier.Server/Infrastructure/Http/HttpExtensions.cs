using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portier.Server.Infrastructure.Http;

public static class HttpExtensions
{
    public static IServiceCollection AddPortierHttp(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", Problems.DefaultCode(status));
            // The trace the request belongs to when it is traced (what a tracing backend finds it by), else the request's id.
            context.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current is { } activity
                ? activity.TraceId.ToHexString()
                : context.HttpContext.TraceIdentifier;
        });
        // Unreadable bodies reach ApiExceptionHandler, which names the field in a problem.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new OffsetRequiredConverter());
        options.Converters.Add(new Portier.Core.Model.StoredTextConverter());
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }

    /// <summary>A group under /api/v1 whose bodies are validated before the handler runs.</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app, string prefix, string tag) =>
        app.MapGroup(ApiRoutes.Prefix + prefix).WithTags(tag).AddEndpointFilterFactory(ValidationFilter.Create);
}
