using System.Diagnostics;
using System.Diagnostics.Metrics;
using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Features.AccessLog;

namespace Portier.Server.Features.Telemetry;

/// <summary>How an access decision was asked for: the <c>method</c> tag of <c>portier.access.decisions</c>.</summary>
public enum DecisionMethod { Scan, AppUnlock, AdminOverride, Gate, Scheduled }

/// <summary>
/// The measurements of the access path, on the <c>Portier.Access</c> meter. Static so any step of
/// the pipeline can record with one line; nothing is collected until an exporter listens
/// (docs/operations.md names every instrument and what to watch).
/// </summary>
public static class PortierMetrics
{
    public const string MeterName = "Portier.Access";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Decisions = Meter.CreateCounter<long>(
        "portier.access.decisions", "{decision}", "Access decisions by method, outcome, reason and the path that allowed them.");

    /// <summary>Scans are answered in milliseconds; the buckets reach to the command deadline (5 s).</summary>
    private static readonly Histogram<double> ScanToCommand = Meter.CreateHistogram(
        "portier.access.scan_to_command.duration", "s",
        "Time from a scan message received over MQTT to the door's command published.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    /// <summary>Tasks run within seconds of their target when all is well; a provider outage shows as hours.</summary>
    private static readonly Histogram<double> TaskLateness = Meter.CreateHistogram(
        "portier.access_tasks.lateness", "s",
        "How long after its target time an access task ran (each attempt, retries tagged).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 7200, 21600] });

    private static readonly string[] MethodTags = ["scan", "app_unlock", "admin_override", "gate", "scheduled"];
    private static readonly object True = true;
    private static readonly object False = false;

    public static DecisionMethod ToDecisionMethod(this AccessMethod method) => method switch
    {
        AccessMethod.Scan => DecisionMethod.Scan,
        AccessMethod.AppUnlock => DecisionMethod.AppUnlock,
        AccessMethod.AdminOverride => DecisionMethod.AdminOverride,
        AccessMethod.Scheduled => DecisionMethod.Scheduled,
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    public static string ToTag(this DecisionMethod method) => MethodTags[(int)method];

    /// <summary>Counts one decision, and names its outcome on the open <c>access.decide</c> span, if any.</summary>
    public static void RecordDecision(DecisionMethod method, bool allowed, string reason, string path)
    {
        if (Decisions.Enabled)
        {
            var tags = new TagList
            {
                { "method", method.ToTag() },
                { "allowed", allowed ? True : False },
                { "reason", reason },
                { "path", path },
            };
            Decisions.Add(1, tags);
        }
        PortierTelemetry.TagDecision(allowed, reason, path);
    }

    public static void RecordDecision(AccessMethod method, bool allowed, string reason, string path) =>
        RecordDecision(method.ToDecisionMethod(), allowed, reason, path);

    /// <summary>Real elapsed time (not the injected clock): latency is what the reader waited.</summary>
    internal static void RecordScanToCommand(long receivedTimestamp, string command)
    {
        if (ScanToCommand.Enabled) ScanToCommand.Record(Stopwatch.GetElapsedTime(receivedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("command", command));
    }

    /// <summary>Lateness on the injected clock, the one the task's target time is judged by.</summary>
    public static void RecordTaskLateness(AccessTaskAction action, bool retry, Instant target, Instant ranAt)
    {
        if (!TaskLateness.Enabled) return;
        var late = Math.Max(0, (ranAt - target).TotalSeconds);
        TaskLateness.Record(late,
            new KeyValuePair<string, object?>("action", action == AccessTaskAction.Grant ? "grant" : "revoke"),
            new KeyValuePair<string, object?>("retry", retry ? True : False));
    }
}
