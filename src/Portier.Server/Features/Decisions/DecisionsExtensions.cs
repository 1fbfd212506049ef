using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Decisions;

public static class DecisionsExtensions
{
    public static IServiceCollection AddPortierDecisions(this IServiceCollection services)
    {
        services.AddSingleton<PolicySnapshotStore>();
        services.AddSingleton<IDefinitionCache>(sp => sp.GetRequiredService<PolicySnapshotStore>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DecisionsJsonContext.Default));
        return services;
    }
}

/// <summary>
/// Marks an entity the policy snapshot is compiled from (<see cref="PolicyDefinitionsLoader"/>): a saved
/// change to one rebuilds the snapshot.
/// </summary>
public interface IPolicyDefinition;
