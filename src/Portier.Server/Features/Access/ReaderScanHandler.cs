using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Devices;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Logging;

namespace Portier.Server.Features.Access;

/// <summary>
/// A card, code or barcode at a controller's reader: the pipeline decides at the reader's door (or the
/// controller's default door, <see cref="PairedController.Place"/>) and answers the reader. A scan that
/// cannot be placed at a door is denied (<c>unknown_reader</c>, or <c>unknown_door</c> when no reader
/// was named) without a decision, and logged.
/// </summary>
public sealed partial class ReaderScanHandler(AccessPipeline pipeline, DeviceCommands commands, ILogger<ReaderScanHandler> logger) : IScanHandler
{
    public async Task AnswerScanAsync(PairedController controller, ScanMessage scan, Instant answerBy, CancellationToken ct)
    {
        if (controller.Place(scan.ReaderId) is not { } place)
        {
            var reason = scan.ReaderId is null ? ReasonCode.UnknownDoor : ReasonCode.UnknownReader;
            LogUnplaced(logger, scan.ScanId, controller.Id, LogSafe.Escape(scan.ReaderId ?? "(none)"), reason.ToCode());
            await commands.SendAndWaitAsync(controller.Id, CommandRequest.Deny(reason, scan.ScanId), ct);
            return;
        }
        var attempt = AccessAttempt.Reader(place.DoorId, scan.Credential.Kind, scan.Credential.Value, scan.ScanId, controller.Id)
            with { AnswerBy = answerBy, ReaderId = place.ReaderId, Direction = place.Direction };
        if (await pipeline.RunAsync(attempt, ct) is null)
            await commands.SendAndWaitAsync(controller.Id, CommandRequest.Deny(ReasonCode.UnknownDoor, scan.ScanId) with { DoorId = controller.CommandDoor(place.DoorId) }, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scan {ScanId} at device {DeviceId} from reader {ReaderId} has no door to be decided at; denied {Reason}")]
    private static partial void LogUnplaced(ILogger logger, Guid scanId, Guid deviceId, string readerId, string reason);
}
