using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Invites;

/// <summary>Every access-management route answers 403 <c>module_disabled</c> while the module is switched off in the access settings.</summary>
public sealed class ModuleEnabledFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var db = context.HttpContext.RequestServices.GetRequiredService<PortierDbContext>();
        var enabled = await db.Set<AccessSettings>().Where(s => s.Id == AccessSettings.SingletonId)
            .Select(s => (bool?)s.ModuleEnabled).FirstOrDefaultAsync(context.HttpContext.RequestAborted) ?? true;
        return enabled
            ? await next(context)
            : Problems.Make(StatusCodes.Status403Forbidden, "module_disabled", "Access management is switched off in the access settings.");
    }
}

public static class ModuleRoutes
{
    /// <summary>An /api/v1 group of the access-management module.</summary>
    public static RouteGroupBuilder MapModuleGroup(this IEndpointRouteBuilder app, string prefix, string tag) =>
        app.MapApiGroup(prefix, tag).AddEndpointFilter<ModuleEnabledFilter>();
}
