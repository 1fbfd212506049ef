using System.ComponentModel.DataAnnotations;

namespace Portier.Server.Features.Webhooks;

public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>How long a receiver has to answer before the attempt counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often due retries are looked for when nothing new wakes the dispatcher.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a dispatcher holds the deliveries it claimed before another server instance may take
    /// them over (after a crash); renewed while sending, so it must exceed <see cref="Timeout"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long an endpoint may fail every attempt, with no success, before the server disables it and
    /// raises an alarm (Standard Webhooks practice: five days). One delivery that runs out of retries
    /// (about 27 hours) fails on its own and leaves the endpoint enabled.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    [Range(1, 256)]
    public int MaxParallelEndpoints { get; set; } = 16;

    /// <summary>Deliveries sent to one endpoint per pass before others get a turn.</summary>
    [Range(1, 100_000)]
    public int MaxPerEndpointPerPass { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ClaimLease <= Timeout)
            yield return new ValidationResult("The claim lease must be longer than the timeout.", [nameof(ClaimLease), nameof(Timeout)]);
    }
}
