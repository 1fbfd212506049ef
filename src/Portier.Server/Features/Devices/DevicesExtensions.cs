using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Redis;
using Portier.Server.Infrastructure.Changes;

namespace Portier.Server.Features.Devices;

public sealed class DevicesOptions
{
    public const string Section = "Devices";

    /// <summary>Pairing attempts allowed per client address per minute.</summary>
    [Range(1, 100_000)]
    public int PairingAttemptsPerMinute { get; set; } = 10;

    /// <summary>How far a controller's clock (a heartbeat's <c>sentAt</c>) may be off the server's before it is flagged.</summary>
    [Range(1, 86_400)]
    public int ClockSkewToleranceSeconds { get; set; } = 60;
}

public static class DevicesExtensions
{
    public const string PairingRateLimit = "device-pairing";

    public static IServiceCollection AddPortierDevices(this IServiceCollection services)
    {
        services.AddOptions<DevicesOptions>().BindConfiguration(DevicesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DeviceOnline>();
        services.AddSingleton<ScanRecords>();
        services.AddSingleton<ScanRepeats>();
        services.AddHostedService<ScanRepeatsPurge>();
        services.AddSingleton<DeviceClock>();
        services.AddSingleton<CommandOutcomeNotices>();
        services.AddSingleton<INodeNoticeChannel>(sp => sp.GetRequiredService<CommandOutcomeNotices>());
        services.AddSingleton<DeviceCommands>();
        services.AddHostedService(sp => sp.GetRequiredService<DeviceCommands>());
        services.AddOptions<ScanQueueOptions>().BindConfiguration(ScanQueueOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ScanWorkers>();
        services.AddHostedService(sp => sp.GetRequiredService<ScanWorkers>());
        services.AddSingleton<DeviceMessageRouter>();
        services.AddSingleton<OfflineEventIntake>();
        services.AddSingleton<IDeviceInbox>(sp => sp.GetRequiredService<DeviceMessageRouter>());
        services.AddHostedService<DeviceStatusMonitor>();
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(PairingRateLimit, http =>
        {
            var limit = http.RequestServices.GetRequiredService<IOptions<DevicesOptions>>().Value.PairingAttemptsPerMinute;
            return SharedRateLimits.FixedWindow(http, PairingRateLimit, http.Connection.RemoteIpAddress?.ToString() ?? "unknown", limit, TimeSpan.FromMinutes(1));
        }));
        return services;
    }
}
