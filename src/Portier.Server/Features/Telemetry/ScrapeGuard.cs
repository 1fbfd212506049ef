using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Portier.Server.Features.Telemetry;

/// <summary>
/// Who may read the metrics: with a scrape token, whoever presents it; without one, only this
/// machine. Metrics name no person or credential, but they show a building's traffic and which
/// controllers are down, so they are not public.
/// </summary>
internal static class ScrapeGuard
{
    public static void Apply(IApplicationBuilder branch, PrometheusScrapeOptions options)
    {
        var expected = options.ScrapeToken is { } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;
        branch.Use(async (context, next) =>
        {
            if (expected is null ? IsLoopback(context) : Presents(context, expected))
            {
                await next(context);
                return;
            }
            var status = expected is null ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = status,
                    Detail = expected is null ? "Metrics are served to this machine only." : "Metrics need the scrape token.",
                    Extensions = { ["code"] = expected is null ? "metrics_loopback_only" : "metrics_token_required" },
                },
            });
        });
    }

    private static bool IsLoopback(HttpContext context) => context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address);

    private static bool Presents(HttpContext context, byte[] expected)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }
}
