using Portier.Server.Infrastructure.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
namespace Portier.Server.Infrastructure.Changes;

public static class ChangesExtensions
{
    /// <summary>Change propagation between nodes on one PostgreSQL database; on SQLite the services stay idle.</summary>
    public static IServiceCollection AddPortierChanges(this IServiceCollection services)
    {
        services.AddOptions<ChangesOptions>().BindConfiguration(ChangesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<NodeIdentity>();
        services.AddSingleton<NodeChanges>();
        services.AddSingleton<DefinitionChangeAnnouncer>();
        services.AddHostedService(sp => sp.GetRequiredService<DefinitionChangeAnnouncer>());
        services.AddSingleton<NodeNoticeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeNoticeListener>());
        services.AddHostedService<DefinitionVersionCheck>();
        return services;
    }
}
