using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Portier.Server.Infrastructure.Redis;

public static class RedisExtensions
{
    /// <summary>The shared Redis connection (used only when <c>Redis:Configuration</c> is set) and its readiness check.</summary>
    public static IServiceCollection AddPortierRedis(this IServiceCollection services)
    {
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section);
        services.AddSingleton<SharedRedis>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        return services;
    }
}

/// <summary>Unready while a configured Redis does not answer: this node's live stream and shared limits are then impaired.</summary>
internal sealed class RedisHealthCheck(SharedRedis redis) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.Enabled) return HealthCheckResult.Healthy("Not configured: a single node.");
        try
        {
            await redis.Database.PingAsync().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy(e is TimeoutException ? $"Redis did not answer within {Timeout.TotalSeconds:0} s." : e.Message);
        }
    }
}
