namespace Portier.Server.Features.Bundles;

public static class BundlesExtensions
{
    public static IServiceCollection AddPortierBundles(this IServiceCollection services)
    {
        services.AddOptions<BundleSecretOptions>().BindConfiguration(BundleSecretOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BundleKeys>();
        services.AddSingleton<Infrastructure.Secrets.ISharedKey>(sp => sp.GetRequiredService<BundleKeys>());
        services.AddSingleton<ControllerBundles>();
        services.AddSingleton<Infrastructure.Persistence.IDefinitionCache>(sp => sp.GetRequiredService<ControllerBundles>());
        // A bundle also carries which doors and readers a controller serves.
        services.AddSingleton<Infrastructure.Persistence.IDefinitionCache>(sp =>
            new Infrastructure.Persistence.AlsoChangedBy("bundles-doors", typeof(Doors.IDoorDirectoryDefinition), sp.GetRequiredService<ControllerBundles>().MarkChanged));
        services.AddHostedService(sp => sp.GetRequiredService<ControllerBundles>());
        return services;
    }
}
