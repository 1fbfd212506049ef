using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Portier.Server.Features.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// The <c>Portier.Access</c> meter's gauges always (so local tools such as dotnet-counters see
    /// them), and OpenTelemetry's exporters as configured: Prometheus scraping, OTLP export.
    /// </summary>
    public static WebApplicationBuilder AddPortierTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PortierGauges>();
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!options.AnyExporter) return builder;

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName, serviceVersion: typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PortierMetrics.MeterName).AddMeter("System.Runtime").AddAspNetCoreInstrumentation();
                ((IDeferredMeterProviderBuilder)metrics).Configure((services, builder) => builder.AddView(OnlyThisHost(services.GetRequiredService<IMeterFactory>())));
                if (options.Prometheus.Enabled) metrics.AddPrometheusExporter();
            });
        // A malformed endpoint is left to the options validation, which stops the start with its name.
        if (options.Otlp.Enabled && Uri.TryCreate(options.Otlp.Endpoint, UriKind.Absolute, out var endpoint))
        {
            otel.WithTracing(tracing => tracing.AddSource(PortierTelemetry.SourceName).AddAspNetCoreInstrumentation())
                .UseOtlpExporter(options.Otlp.Protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf,
                    endpoint);
        }
        return builder;
    }

    /// <summary>
    /// Meters are subscribed to by name, so an exporter would also pick up the instruments of another host's
    /// <see cref="IMeterFactory"/> in the same process (the gauges of a host that has stopped, say) in place of its own.
    /// Instruments of the process-wide meters (no factory) are kept.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OnlyThisHost(IMeterFactory own) =>
        instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own) ? MetricStreamConfiguration.Drop : null;

    /// <summary>Creates the gauges, and maps the scrape endpoint when Prometheus is on (see <see cref="ScrapeGuard"/>).</summary>
    public static WebApplication MapPortierTelemetry(this WebApplication app)
    {
        app.Services.GetRequiredService<PortierGauges>();
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TelemetryOptions>>().Value;
        if (options.Prometheus.Enabled)
            app.MapPrometheusScrapingEndpoint(options.Prometheus.Path, meterProvider: null,
                configureBranchedPipeline: branch => ScrapeGuard.Apply(branch, options.Prometheus), optionsName: null);
        return app;
    }
}
