using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Doors;

public static class DoorDirectoryExtensions
{
    public static IServiceCollection AddPortierDoors(this IServiceCollection services)
    {
        services.AddSingleton<DoorDirectory>();
        services.AddSingleton<IDefinitionCache>(sp => sp.GetRequiredService<DoorDirectory>());
        return services;
    }
}

/// <summary>Marks an entity the door directory is built from: a saved change to one rebuilds the directory.</summary>
public interface IDoorDirectoryDefinition;
