namespace Portier.Server.Features.Lockdowns;

public static class LockdownsExtensions
{
    /// <summary>Register after the door latches: starting a plan moves the doors' relays.</summary>
    public static IServiceCollection AddPortierLockdowns(this IServiceCollection services)
    {
        services.AddScoped<LockdownControl>();
        services.AddSingleton<Devices.IControllerInputHandler, LockdownInputs>();
        services.AddSingleton<LockdownReverter>();
        services.AddHostedService(sp => sp.GetRequiredService<LockdownReverter>());
        return services;
    }
}
