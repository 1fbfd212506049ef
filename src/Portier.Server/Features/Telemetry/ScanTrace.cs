using System.Diagnostics;
using Portier.Core.Devices;

namespace Portier.Server.Features.Telemetry;

/// <summary>
/// One scan from the moment its MQTT message is received: starts the <c>access.scan</c> span (a new
/// trace) and the scan-to-command clock. Whatever answers the scan, on whichever thread or queue,
/// runs inside <see cref="Enter"/>: the decision's spans then join the scan's trace, and the first
/// command published for the scan records <c>portier.access.scan_to_command.duration</c>.
/// </summary>
public sealed class ScanTrace
{
    private static readonly AsyncLocal<ScanTrace?> Ambient = new();

    private readonly long _receivedAt = Stopwatch.GetTimestamp();
    private readonly Activity? _span;
    private int _commanded;

    private ScanTrace(Guid scanId, Activity? span)
    {
        ScanId = scanId;
        _span = span;
    }

    public Guid ScanId { get; }

    /// <summary>Call on the receive path; leaves that path's current span as it was.</summary>
    public static ScanTrace Received(Guid deviceId, Guid scanId)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var span = PortierTelemetry.Source.StartActivity("access.scan", ActivityKind.Consumer);
        span?.SetTag("portier.device.id", deviceId);
        span?.SetTag("portier.scan.id", scanId);
        Activity.Current = previous;
        return new ScanTrace(scanId, span);
    }

    /// <summary>Makes the scan the ambient one for the work that answers it; disposing ends the scan's span.</summary>
    public Scope Enter()
    {
        Ambient.Value = this;
        if (_span is not null) Activity.Current = _span;
        return new Scope(this);
    }

    /// <summary>A command was published: the first one for the ambient scan is its answer.</summary>
    internal static void CommandPublished(Guid? scanId, CommandType type)
    {
        if (Ambient.Value is { } scan && scan.ScanId == scanId && Interlocked.Exchange(ref scan._commanded, 1) == 0)
            PortierMetrics.RecordScanToCommand(scan._receivedAt, PortierTelemetry.CommandTag(type));
    }

    public readonly struct Scope(ScanTrace scan) : IDisposable
    {
        public void Dispose()
        {
            scan._span?.Stop();
            Ambient.Value = null;
        }
    }
}
