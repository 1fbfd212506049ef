using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Changes;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Health;

public static class HealthApi
{
    public static IServiceCollection AddPortierHealth(this IServiceCollection services)
    {
        services.TryAddSingleton<DatabaseProbe>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<ChangesHealthCheck>("changes", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// Live: the process answers. Ready: the database takes writes too, asked afresh on every request;
    /// <c>Degraded</c> (still 200) while the node does not hear other nodes' changes.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
        app.MapGet("/health/node", (Leases leases) => TypedResults.Ok(new NodeHealth(leases.NodeId, leases.HeldNow().ToDictionary(l => l.Key, l => l.Value.ToDateTimeOffset()))))
            .ExcludeFromDescription();
        return app;
    }
}

/// <summary>This server node's id (new at every start) and the leases of background work it holds, with their expiry.</summary>
public sealed record NodeHealth(string NodeId, IReadOnlyDictionary<string, DateTimeOffset> Leases);

/// <summary>Unhealthy within <see cref="DatabaseProbe.Timeout"/> of the database failing, healthy again at the first probe after it recovers.</summary>
internal sealed class DatabaseHealthCheck(DatabaseProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await probe.FailureAsync(cancellationToken) is { } failure
            ? HealthCheckResult.Unhealthy(failure)
            : HealthCheckResult.Healthy();
}

/// <summary>
/// Degraded while the node shares a PostgreSQL database with others but its listening connection is down:
/// it still serves, with definitions at most one version check old, and says it cannot be sure they are current.
/// </summary>
internal sealed class ChangesHealthCheck(NodeChanges node, Microsoft.Extensions.Options.IOptions<ChangesOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(node.Current
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded(
                $"Not listening for other nodes' changes: definitions are checked every {options.Value.VersionCheckSeconds} s " +
                $"(last at {node.LastChecked?.ToString() ?? "never"}) until the connection is back."));
}
