namespace Portier.Server.Features.Bundles;

public static class BundlesExtensions
{
    public static IServiceCollection AddPortierBundles(this IServiceCollection services)
    {
        services.AddOptions<BundleSecretOptions>().BindConfiguration(BundleSecretOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BundleKeys>();
        services.AddSingleton<ControllerBundles>();
        services.AddSingleton<Infrastructure.Persistence.IDefinitionCache>(sp => sp.GetRequiredService<ControllerBundles>());
        services.AddHostedService(sp => sp.GetRequiredService<ControllerBundles>());
        return services;
    }
}
