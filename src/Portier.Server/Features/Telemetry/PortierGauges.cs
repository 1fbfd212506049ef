using System.Diagnostics.Metrics;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Changes;

namespace Portier.Server.Features.Telemetry;

/// <summary>
/// The gauges of the <c>Portier.Access</c> meter. Each reads a number the server already keeps in
/// memory, so a scrape costs no query: commands awaiting their ack, controllers online, the
/// webhook outbox as the dispatcher last saw it, and whether the node hears other nodes' changes. One per host (its meter comes from the host's
/// <see cref="IMeterFactory"/>), reading that host's services.
/// </summary>
public sealed class PortierGauges
{
    public PortierGauges(IMeterFactory meters, DeviceCommands commands, DoorDirectory doors, WebhookBacklog backlog, NodeChanges changes,
        TimeProvider clock, ILogger<PortierGauges> logger)
    {
        var meter = meters.Create(PortierMetrics.MeterName);
        meter.CreateObservableGauge("portier.commands.pending", () => commands.PendingCount, "{command}",
            "Commands published to controllers and neither acknowledged nor past their deadline.");
        meter.CreateObservableGauge("portier.controllers.online", () => Controllers(doors, clock, logger, c => c.Online), "{controller}",
            "Paired controllers heard from within the last five minutes.");
        meter.CreateObservableGauge("portier.controllers.paired", () => Controllers(doors, clock, logger, c => c.Paired), "{controller}",
            "Paired controllers, online or not.");
        backlog.ObservedBy(meter.CreateObservableGauge("portier.webhooks.outbox.depth",
            () => backlog.Depth is { } depth ? [new Measurement<long>(depth)] : Array.Empty<Measurement<long>>(), "{delivery}",
            "Pending webhook deliveries to enabled endpoints, as of the dispatcher's last pass."));
        meter.CreateObservableGauge("portier.webhooks.outbox.oldest_due.age",
            () => backlog.OldestDueAge(clock.GetCurrentInstant()) is { } age ? [new Measurement<double>(age)] : Array.Empty<Measurement<double>>(), "s",
            "How long the most overdue pending webhook delivery has been due.");
        meter.CreateObservableGauge("portier.node.changes_current", () => changes.Current ? 1 : 0, "{node}",
            "1 while this node hears other nodes' definition changes as they commit (always 1 on SQLite, a single node).");
        meter.CreateObservableCounter("portier.node.changes_received", () => changes.ChangesReceived, "{change}",
            "Definition changes of other nodes this node applied, announced or found by its version check.");
    }

    private static IEnumerable<Measurement<int>> Controllers(DoorDirectory doors, TimeProvider clock, ILogger logger, Func<(int Paired, int Online), int> pick)
    {
        if (doors.CountControllers(clock.GetCurrentInstant()) is { } counts) return [new Measurement<int>(pick(counts))];
        // Never read since start: read it once in the background; the next collection has the numbers.
        _ = WarmAsync(doors, logger);
        return [];
    }

    private static async Task WarmAsync(DoorDirectory doors, ILogger logger)
    {
        try
        {
            await doors.GetAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            TelemetryLog.DirectoryReadFailed(logger, e);
        }
    }
}

internal static partial class TelemetryLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the door directory for the controller gauges failed")]
    public static partial void DirectoryReadFailed(ILogger logger, Exception exception);
}
