using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.LiveEvents;

/// <summary>
/// A page on another site must not open the live stream with a token it got hold of (or with the
/// browser's own credentials): a request that carries an <c>Origin</c> is accepted only from the
/// server's own origin or one listed in <see cref="LiveEventOptions.AllowedOrigins"/>. Non-browser
/// clients send no Origin and are not affected.
/// </summary>
public static class LiveEventOrigins
{
    public static void RefuseForeignOrigins(this EndpointBuilder endpoint)
    {
        var next = endpoint.RequestDelegate!;
        endpoint.RequestDelegate = http => IsAllowed(http)
            ? next(http)
            : Problems.Make(StatusCodes.Status403Forbidden, "origin_not_allowed", "The live stream does not accept connections from this origin.").ExecuteAsync(http);
    }

    public static bool IsAllowed(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0) return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var presented)) return false;
        var own = new Uri($"{http.Request.Scheme}://{http.Request.Host}");
        if (Uri.Compare(presented, own, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0) return true;
        var allowed = http.RequestServices.GetRequiredService<IOptions<LiveEventOptions>>().Value.AllowedOrigins;
        return allowed.Any(a => Uri.TryCreate(a, UriKind.Absolute, out var listed)
            && Uri.Compare(presented, listed, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0);
    }
}
