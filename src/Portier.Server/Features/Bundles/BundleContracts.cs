namespace Portier.Server.Features.Bundles;

/// <summary>A revocation a controller has not acknowledged yet: it may still allow what was taken away while it decides on its own.</summary>
public sealed record PendingRevocationResponse(long Version, RevocationKind Kind, Guid SubjectId, Guid? PersonId, DateTimeOffset At);

/// <summary>
/// A controller's bundle: the server's version and when it was built (<see cref="AgeSeconds"/> since),
/// the version the controller last acknowledged, its last refusal, and the revocations carried by
/// versions it has not acknowledged. <see cref="Behind"/>: the controller holds an older version than the server.
/// </summary>
public sealed record ControllerBundleResponse(
    Guid DeviceId,
    string DeviceName,
    Guid? DoorId,
    bool Online,
    long Version,
    DateTimeOffset BuiltAt,
    long AgeSeconds,
    long? AcknowledgedVersion,
    DateTimeOffset? AcknowledgedAt,
    bool Behind,
    string? LastRefusal,
    DateTimeOffset? LastRefusalAt,
    IReadOnlyList<PendingRevocationResponse> PendingRevocations);
