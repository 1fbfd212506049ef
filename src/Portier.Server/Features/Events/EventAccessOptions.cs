using Portier.Core.EventPolicies;
using System.ComponentModel.DataAnnotations;

namespace Portier.Server.Features.Events;

/// <summary>Platform settings of event access (section <c>EventAccess</c>).</summary>
public sealed class EventAccessOptions
{
    public const string Section = "EventAccess";

    /// <summary>How long before a window's grant time its tasks are pushed to the provider.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "90.00:00:00")]
    public TimeSpan MaterializationHorizon { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the runner looks for due tasks; bounds how late a task can start.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a claim keeps other runners off a task; a runner that crashed loses it after this.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    [Range(0, 50)]
    public int MaxAutomaticRetries { get; set; } = 5;

    /// <summary>
    /// How long after its target time a revoke is still retried automatically while its provider is
    /// unreachable or failing; after that it fails and raises a <c>revocation_failed</c> alarm.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan RevokeRetryPeriod { get; set; } = AccessTaskRules.DefaultRevokeRetryPeriod.ToTimeSpan();

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>How many changed tasks a re-plan saves at a time (each batch is one progress step).</summary>
    [Range(1, 100_000)]
    public int PlanningBatchSize { get; set; } = 1000;

    /// <summary>How many claimed tasks one runner executes at once.</summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = 4;

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ProviderTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Off: this process plans and serves the API but runs no tasks (another node does).</summary>
    public bool RunnerEnabled { get; set; } = true;
}
