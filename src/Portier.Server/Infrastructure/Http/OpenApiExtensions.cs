using Scalar.AspNetCore;

namespace Portier.Server.Infrastructure.Http;

public static class OpenApiExtensions
{
    public static IServiceCollection AddPortierOpenApi(this IServiceCollection services) => services.AddOpenApi("v1");

    /// <summary>The document at /openapi/v1.json and an interactive reference at /api-reference.</summary>
    public static IEndpointRouteBuilder MapPortierOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/api-reference", o => o.WithTitle("Portier API"));
        return app;
    }
}
