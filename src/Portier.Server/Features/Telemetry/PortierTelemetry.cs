using System.Diagnostics;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Devices;

namespace Portier.Server.Features.Telemetry;

/// <summary>
/// The spans of one access attempt, on the <c>Portier.Access</c> activity source: <c>access.scan</c>
/// (an MQTT scan, from receipt to answer; an HTTP attempt has the request's span instead), and under
/// it <c>access.decide</c>, <c>access.record</c> (the wait for the event's group commit) and
/// <c>access.command</c> (publish until ack or deadline). Every helper is free when nobody listens.
/// </summary>
public static class PortierTelemetry
{
    public const string SourceName = "Portier.Access";
    public const string DecideSpan = "access.decide";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>Opens the decision's span; <see cref="PortierMetrics.RecordDecision(DecisionMethod,bool,string,string)"/> names its outcome.</summary>
    public static Activity? StartDecide(DecisionMethod method, Guid doorId)
    {
        var span = Source.StartActivity(DecideSpan, ActivityKind.Internal);
        span?.SetTag("portier.access.method", method.ToTag());
        span?.SetTag("portier.door.id", doorId);
        return span;
    }

    public static Activity? StartDecide(AccessMethod method, Guid doorId) => StartDecide(method.ToDecisionMethod(), doorId);

    internal static void TagDecision(bool allowed, string reason, string path)
    {
        if (Activity.Current is not { OperationName: DecideSpan } span) return;
        span.SetTag("portier.access.allowed", allowed);
        span.SetTag("portier.access.reason", reason);
        span.SetTag("portier.access.path", path);
    }

    /// <summary>The caller's wait until its event is durable; the writer adds the size of the batch it was committed in.</summary>
    internal static Activity? StartRecord(AccessEvent accessEvent)
    {
        var span = Source.StartActivity("access.record", ActivityKind.Internal);
        span?.SetTag("portier.access_event.id", accessEvent.Id);
        span?.SetTag("portier.access.outcome", accessEvent.OutcomeOf is null ? "attempt" : "outcome");
        return span;
    }

    internal static void Committed(Activity? span, int batchSize) => span?.SetTag("portier.access_log.batch_size", batchSize);

    internal static Activity? StartCommand(DeviceCommand command)
    {
        var span = Source.StartActivity("access.command", ActivityKind.Producer);
        if (span is null) return null;
        span.SetTag("portier.command.id", command.Id);
        span.SetTag("portier.command.type", CommandTag(command.Type));
        span.SetTag("portier.device.id", command.DeviceId);
        if (command.ScanId is { } scanId) span.SetTag("portier.scan.id", scanId);
        return span;
    }

    /// <summary>Ends the command's span when its outcome (ack, deadline) is known.</summary>
    internal static void EndCommand(Activity? span, Task<CommandOutcome> outcome)
    {
        if (span is null) return;
        _ = outcome.ContinueWith(static (done, state) =>
        {
            var span = (Activity)state!;
            EndCommand(span, done.IsCompletedSuccessfully ? done.Result.Status : CommandStatus.Failed);
        }, span, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    internal static void EndCommand(Activity? span, CommandStatus status)
    {
        if (span is null) return;
        span.SetTag("portier.command.status", System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString()));
        if (status is not CommandStatus.Confirmed) span.SetStatus(ActivityStatusCode.Error, status.ToString());
        span.Stop();
    }

    internal static string CommandTag(Portier.Core.Devices.CommandType type) => type switch
    {
        Portier.Core.Devices.CommandType.Unlock => "unlock",
        Portier.Core.Devices.CommandType.Deny => "deny",
        Portier.Core.Devices.CommandType.LatchOpen => "latch_open",
        Portier.Core.Devices.CommandType.Release => "release",
        Portier.Core.Devices.CommandType.LockDown => "lock_down",
    };
}
