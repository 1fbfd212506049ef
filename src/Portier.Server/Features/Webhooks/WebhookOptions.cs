using System.ComponentModel.DataAnnotations;

namespace Portier.Server.Features.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>How long a receiver has to answer before the attempt counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often due retries are looked for when nothing new wakes the dispatcher.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 256)]
    public int MaxParallelEndpoints { get; set; } = 16;

    /// <summary>Deliveries sent to one endpoint per pass before others get a turn.</summary>
    [Range(1, 100_000)]
    public int MaxPerEndpointPerPass { get; set; } = 1000;
}
