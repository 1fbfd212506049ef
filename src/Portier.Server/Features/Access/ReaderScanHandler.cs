using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;

namespace Portier.Server.Features.Access;

/// <summary>A card, code or barcode at a controller's reader: the pipeline decides and answers the reader.</summary>
public sealed class ReaderScanHandler(AccessPipeline pipeline, DeviceCommands commands) : IScanHandler
{
    public async Task AnswerScanAsync(PairedController controller, ScanMessage scan, Instant answerBy, CancellationToken ct)
    {
        if (controller.DoorId is not { } doorId ||
            await pipeline.RunAsync(AccessAttempt.Reader(doorId, scan.Credential.Kind, scan.Credential.Value, scan.ScanId, controller.Id) with { AnswerBy = answerBy }, ct) is null)
            await commands.SendAndWaitAsync(controller.Id, CommandRequest.Deny(ReasonCode.UnknownDoor, scan.ScanId), ct);
    }
}
