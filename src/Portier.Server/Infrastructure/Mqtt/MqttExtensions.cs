using Microsoft.Extensions.Options;

namespace Portier.Server.Infrastructure.Mqtt;

public static class MqttExtensions
{
    public static IServiceCollection AddPortierMqtt(this IServiceCollection services)
    {
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IDeviceLink>(sp => sp.GetRequiredService<IOptions<MqttOptions>>().Value.Mode switch
        {
            MqttMode.Embedded => ActivatorUtilities.CreateInstance<EmbeddedBroker>(sp),
            MqttMode.External => ActivatorUtilities.CreateInstance<ExternalBrokerClient>(sp),
            var mode => throw new InvalidOperationException($"Unknown MQTT mode {mode}."),
        });
        services.AddHostedService<MqttGateway>();
        services.AddHealthChecks().AddCheck<MqttHealthCheck>("mqtt", tags: ["ready"]);
        return services;
    }
}
