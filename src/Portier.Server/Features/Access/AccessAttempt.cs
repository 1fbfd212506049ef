using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;

namespace Portier.Server.Features.Access;

/// <summary>Where an attempt comes from; each source has its own request to the engine and its own way of actuating.</summary>
public enum AttemptSource
{
    /// <summary>A card, PIN, code or barcode at a paired controller's reader: answered with an unlock or a deny command.</summary>
    Reader,
    /// <summary>A PIN, one-time code or QR pass validated for a point of entry: the gate asking is online and opens itself.</summary>
    Gate,
    /// <summary>A member's unlock from the app: the geofence applies.</summary>
    App,
    /// <summary>An administrator's remote opening.</summary>
    AdminOverride,
    /// <summary>The door's auto-unlock hours holding it open: actuated by the door latch scheduler.</summary>
    Schedule,
}

/// <summary>
/// One request to open a door, from any source. A credential arrives as presented
/// (<see cref="PresentedValue"/>, turned into its lookup key by the pipeline), or already identified by
/// its source (<see cref="CredentialKey"/>, e.g. a verified QR pass's nonce), or refused before any
/// lookup (<see cref="Refusal"/>, e.g. a QR pass whose signature failed), which is still decided as
/// a denial and recorded.
/// </summary>
public sealed record AccessAttempt(Guid DoorId, AttemptSource Source)
{
    public Guid? PersonId { get; init; }
    public CredentialKind? CredentialKind { get; init; }
    public string? PresentedValue { get; init; }
    public string? CredentialKey { get; init; }
    public ReasonCode? Refusal { get; init; }
    public GeoLocation? Location { get; init; }
    public Guid? ScanId { get; init; }
    /// <summary>The controller whose reader sent the scan: with <see cref="ScanId"/>, what makes a repeat of it known.</summary>
    public Guid? ScannedBy { get; init; }
    public Guid? AdminId { get; init; }
    /// <summary>When the one asking stops waiting (a reader: its scan's receipt plus a command's deadline); no command goes out after it.</summary>
    public Instant? AnswerBy { get; init; }
    /// <summary>The controller's reader that read the credential, when the scan named one it registered (or sent one at all).</summary>
    public string? ReaderId { get; init; }
    /// <summary>The way the passage goes when a reader knows it (an entry or exit reader); null = the door's own direction.</summary>
    public DoorDirection? Direction { get; init; }
    /// <summary>False for a person's dry run (explain without an app's location): the geofence is not checked.</summary>
    public bool ChecksGeofence { get; init; } = true;

    public AccessMethod Method => Source switch
    {
        AttemptSource.Reader or AttemptSource.Gate => AccessMethod.Scan,
        AttemptSource.App => AccessMethod.AppUnlock,
        AttemptSource.AdminOverride => AccessMethod.AdminOverride,
        AttemptSource.Schedule => AccessMethod.Scheduled,
        _ => throw new ArgumentOutOfRangeException(nameof(Source), Source, null),
    };

    public static AccessAttempt Reader(Guid doorId, CredentialKind kind, string value, Guid scanId, Guid? scannedBy = null) =>
        new(doorId, AttemptSource.Reader) { CredentialKind = kind, PresentedValue = value, ScanId = scanId, ScannedBy = scannedBy };

    public static AccessAttempt Gate(Guid doorId, CredentialKind kind, string value) =>
        new(doorId, AttemptSource.Gate) { CredentialKind = kind, PresentedValue = value };

    public static AccessAttempt App(Guid doorId, Guid personId, GeoLocation? location) =>
        new(doorId, AttemptSource.App) { PersonId = personId, Location = location };

    /// <summary>A person at the door without an app's location, for explaining a decision.</summary>
    public static AccessAttempt DryRun(Guid doorId, Guid personId) =>
        new(doorId, AttemptSource.App) { PersonId = personId, ChecksGeofence = false };

    /// <summary>An administrator's opening; naming the <paramref name="personId"/> let through records their passage for the zone's anti-passback.</summary>
    public static AccessAttempt Override(Guid doorId, Guid adminId, Guid? personId = null) =>
        new(doorId, AttemptSource.AdminOverride) { AdminId = adminId, PersonId = personId };

    public static AccessAttempt Schedule(Guid doorId) => new(doorId, AttemptSource.Schedule);
}

/// <summary>The decision, what the door did about it, and the recorded attempt.</summary>
public sealed record AttemptResult(AccessEvent Event, Decision Decision, ActuationOutcome Outcome, Guid? CredentialId)
{
    /// <summary>For an attempt refused with <c>too_many_attempts</c>: when the back-off ends.</summary>
    public NodaTime.Instant? RetryAt { get; init; }

    public Guid EventId => Event.Id;
    public bool Allowed => Decision.Allowed;
}
