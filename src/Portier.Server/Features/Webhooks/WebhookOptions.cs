using System.ComponentModel.DataAnnotations;

namespace Portier.Server.Features.Webhooks;

public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>Permits endpoints on loopback (127.0.0.0/8, ::1): for local receivers and tests only.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Permits private, shared and link-local networks (10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, fc00::/7, fe80::/10). Cloud metadata addresses stay refused.</summary>
    public bool AllowPrivateNetworks { get; set; }

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
