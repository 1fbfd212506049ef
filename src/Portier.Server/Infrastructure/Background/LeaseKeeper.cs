using Portier.Server.Infrastructure.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Portier.Server.Infrastructure.Background;

/// <summary>
/// Renews this node's leases every <see cref="LeaseOptions.RenewEvery"/> of the injected clock and takes
/// over the wanted ones another node let expire; gives them all back when the node stops cleanly.
/// Registered before the work it leases, so it stops after that work has.
/// </summary>
public sealed partial class LeaseKeeper(Leases leases, TimeProvider clock, IOptions<LeaseOptions> options, ILogger<LeaseKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, leases.NodeId, leases.Shared);
        if (!leases.Shared) return;
        try
        {
            var next = clock.GetUtcNow() + options.Value.RenewEvery;
            while (true)
            {
                // Due times are fixed before each round, so a round that ran late is not followed by a wait of a whole period.
                if (next - clock.GetUtcNow() is { Ticks: > 0 } wait) await Task.Delay(wait, clock, stoppingToken);
                next = clock.GetUtcNow() + options.Value.RenewEvery;
                await leases.KeepAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync gives the leases back.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseAllAsync(cancellationToken);
        }
        catch (Exception e)
        {
            // The database did not answer, or the host's stop ran out of time: the leases then expire on
            // their own, and another node takes the work over a little later. Either way the stop goes on.
            LogReleaseFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Server node {NodeId} started (leases shared with other nodes: {Shared})")]
    private static partial void LogStarted(ILogger logger, string nodeId, bool shared);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Giving back the leases at stop failed; they expire on their own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);
}

public static class LeaseExtensions
{
    /// <summary>Register before the features whose background work is leased, so the keeper stops last.</summary>
    public static IServiceCollection AddPortierLeases(this IServiceCollection services)
    {
        services.AddOptions<LeaseOptions>().BindConfiguration(LeaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<NodeIdentity>();
        services.AddSingleton<Leases>();
        services.AddHostedService<LeaseKeeper>();
        return services;
    }
}
