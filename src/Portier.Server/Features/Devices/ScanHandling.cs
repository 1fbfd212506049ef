using NodaTime;
using Portier.Core.Devices;
using Portier.Server.Features.Doors;

namespace Portier.Server.Features.Devices;

/// <summary>
/// Answers a credential presented at a device's reader: decides, records, and sends the device
/// its command (unlock with a hold time, or deny with a reason) through <see cref="DeviceCommands"/>.
/// Registered scoped; the router denies the scan itself if this throws. The reader's answer is due by
/// <c>answerBy</c> (its receipt plus a command's deadline): a command that could only go out later is never sent.
/// </summary>
public interface IScanHandler
{
    Task AnswerScanAsync(PairedController controller, ScanMessage scan, Instant answerBy, CancellationToken ct);
}
