using Portier.Core.Devices;

namespace Portier.Server.Features.Devices;

/// <summary>
/// Answers a credential presented at a device's reader with the command the device should carry
/// out (unlock with a hold time, or deny with a reason). Registered scoped; the access decision
/// replaces the default registration.
/// </summary>
public interface IScanHandler
{
    Task<CommandRequest> HandleScanAsync(Device device, Guid? doorId, ScanMessage scan, CancellationToken ct);
}

/// <summary>Until access decisions are wired to scans, every scan is denied (fail closed).</summary>
public sealed class NotConfiguredScanHandler : IScanHandler
{
    public const string Reason = "not_configured";

    public Task<CommandRequest> HandleScanAsync(Device device, Guid? doorId, ScanMessage scan, CancellationToken ct) =>
        Task.FromResult(CommandRequest.Deny(Reason, scan.ScanId));
}
