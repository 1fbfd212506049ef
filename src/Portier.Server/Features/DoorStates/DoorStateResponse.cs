using Portier.Core.Doors;

namespace Portier.Server.Features.DoorStates;

/// <summary>
/// A door's live state (<see cref="DoorLiveStatus.Of"/>): the state, how urgent it is, and its plain-words label,
/// with the facts it was read from so a client can show more than the label.
/// </summary>
public sealed record DoorStateResponse(
    Guid DoorId,
    Guid SiteId,
    DoorLiveState State,
    DoorLiveSeverity Severity,
    string Label,
    ControllerLink Controller,
    bool Open,
    bool Latched,
    IReadOnlyList<DoorAlarm> StandingAlarms);
