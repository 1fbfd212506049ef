using Portier.Core.Devices;
using Portier.Core.Decisions;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;

namespace Portier.Server.Features.Unlocks;

/// <summary>A card, code or barcode at a reader: the full decision, then the door's command.</summary>
public sealed class AccessScanHandler(DoorUnlocks unlocks, DeviceCommands commands) : IScanHandler
{
    public async Task AnswerScanAsync(PairedController controller, ScanMessage scan, CancellationToken ct)
    {
        if (controller.DoorId is not { } doorId ||
            await unlocks.UnlockAsync(UnlockAttempt.Scan(doorId, scan.Credential.Kind, scan.Credential.Value, scan.ScanId), ct) is null)
            await commands.SendAndWaitAsync(controller.Id, CommandRequest.Deny(ReasonCode.UnknownDoor.ToCode(), scan.ScanId), ct);
    }
}
