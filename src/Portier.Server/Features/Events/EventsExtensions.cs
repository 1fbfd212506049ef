using Portier.Server.Features.Providers;

namespace Portier.Server.Features.Events;

public static class EventsExtensions
{
    public static IServiceCollection AddEventAccess(this IServiceCollection services)
    {
        services.AddOptions<EventAccessOptions>().BindConfiguration(EventAccessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookProviderClient>();
        services.AddSingleton<EventPlanning>();
        services.AddSingleton<AccessTaskRunner>();
        services.AddHostedService<AccessTaskRunnerService>();
        return services;
    }

    public static IEndpointRouteBuilder MapEventAccessApi(this IEndpointRouteBuilder app) =>
        app.MapEventsApi().MapAccessControlApi().MapProvidersApi();
}
