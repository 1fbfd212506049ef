using System.ComponentModel.DataAnnotations;

namespace Portier.Server.Features.Telemetry;

/// <summary>Telemetry exporters, all off unless configured (section <c>Telemetry</c>; docs/operations.md).</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string Section = "Telemetry";

    /// <summary>The <c>service.name</c> resource attribute of everything exported.</summary>
    [Required]
    public string ServiceName { get; set; } = "portier";

    public PrometheusScrapeOptions Prometheus { get; set; } = new();

    public OtlpExportOptions Otlp { get; set; } = new();

    public bool AnyExporter => Prometheus.Enabled || Otlp.Enabled;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Prometheus.Path.StartsWith('/') || Prometheus.Path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
            yield return new ValidationResult("Telemetry:Prometheus:Path must start with / and lie outside /api/.", ["Prometheus.Path"]);
        if (Prometheus.ScrapeToken is { Length: < PrometheusScrapeOptions.MinTokenLength })
            yield return new ValidationResult($"Telemetry:Prometheus:ScrapeToken must be at least {PrometheusScrapeOptions.MinTokenLength} characters.", ["Prometheus.ScrapeToken"]);
        if (Otlp.Endpoint is { } endpoint && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            yield return new ValidationResult("Telemetry:Otlp:Endpoint must be an absolute http:// or https:// address.", ["Otlp.Endpoint"]);
    }
}

/// <summary>
/// The Prometheus scrape endpoint. Off by default; when on, only callers on this machine (loopback)
/// may scrape, unless a scrape token is set: then every scrape must present it as a bearer token,
/// from any address.
/// </summary>
public sealed class PrometheusScrapeOptions
{
    public const int MinTokenLength = 16;

    public bool Enabled { get; set; }

    public string Path { get; set; } = "/metrics";

    public string? ScrapeToken { get; set; }
}

public enum OtlpProtocol { Grpc, HttpProtobuf }

/// <summary>OTLP export of traces, metrics and logs to a collector; on when an endpoint is set.</summary>
public sealed class OtlpExportOptions
{
    /// <summary>The collector's base address, e.g. <c>http://127.0.0.1:4317</c> (gRPC) or <c>http://127.0.0.1:4318</c> (HTTP).</summary>
    public string? Endpoint { get; set; }

    public OtlpProtocol Protocol { get; set; } = OtlpProtocol.Grpc;

    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);
}
