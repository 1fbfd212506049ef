using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portier.Server.Features.Audit;

public static class AuditExtensions
{
    public static IServiceCollection AddPortierAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditInterceptor>();
        services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<AuditInterceptor>());
        return services;
    }
}
