namespace Portier.Server.Features.MemberApp;

/// <summary>
/// The member app's service worker is the static file <c>/app/sw.js</c> but controls the page <c>/app</c>, one level
/// above its own folder, which browsers allow only when the script's answer says so. It is never served from a
/// browser's HTTP cache, so a new version replaces the old one on the next visit.
/// </summary>
public static class MemberAppServiceWorker
{
    public const string ScriptPath = "/app/sw.js";
    public const string Scope = "/app";

    public static IApplicationBuilder UseMemberAppServiceWorker(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Path.Equals(ScriptPath, StringComparison.Ordinal))
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers["Service-Worker-Allowed"] = Scope;
                context.Response.Headers.CacheControl = "no-cache";
                return Task.CompletedTask;
            });
        }
        return next(context);
    });
}
