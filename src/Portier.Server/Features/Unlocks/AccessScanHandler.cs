using Portier.Core.Devices;
using Portier.Core.Decisions;
using Portier.Server.Features.Devices;

namespace Portier.Server.Features.Unlocks;

/// <summary>A card, code or barcode at a reader: the full decision, then the door's command.</summary>
public sealed class AccessScanHandler(DoorUnlocks unlocks, DeviceCommands commands) : IScanHandler
{
    public async Task AnswerScanAsync(Device device, ScanMessage scan, CancellationToken ct)
    {
        if (device.DoorId is not { } doorId ||
            await unlocks.UnlockAsync(UnlockAttempt.Scan(doorId, scan.Credential.Kind, scan.Credential.Value, scan.ScanId), ct) is null)
            await commands.SendAndWaitAsync(device.Id, CommandRequest.Deny(ReasonCode.UnknownDoor.ToCode(), scan.ScanId), ct);
    }
}
