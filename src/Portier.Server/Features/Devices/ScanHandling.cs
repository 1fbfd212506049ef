using Portier.Core.Devices;
using Portier.Server.Features.Doors;

namespace Portier.Server.Features.Devices;

/// <summary>
/// Answers a credential presented at a device's reader: decides, records, and sends the device
/// its command (unlock with a hold time, or deny with a reason) through <see cref="DeviceCommands"/>.
/// Registered scoped; the router denies the scan itself if this throws.
/// </summary>
public interface IScanHandler
{
    Task AnswerScanAsync(PairedController controller, ScanMessage scan, CancellationToken ct);
}
