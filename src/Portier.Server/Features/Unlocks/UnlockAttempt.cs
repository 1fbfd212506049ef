using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Server.Features.AccessLog;

namespace Portier.Server.Features.Unlocks;

/// <summary>One request to open a door: a card at a reader, a member's app, or an admin's override.</summary>
public sealed record UnlockAttempt(Guid DoorId, AccessMethod Method)
{
    public Guid? PersonId { get; init; }
    public CredentialKind? CredentialKind { get; init; }
    public string? PresentedValue { get; init; }
    public GeoLocation? Location { get; init; }
    public Guid? ScanId { get; init; }
    public Guid? AdminId { get; init; }

    public static UnlockAttempt Scan(Guid doorId, CredentialKind kind, string value, Guid scanId) =>
        new(doorId, AccessMethod.Scan) { CredentialKind = kind, PresentedValue = value, ScanId = scanId };

    public static UnlockAttempt App(Guid doorId, Guid personId, GeoLocation? location) =>
        new(doorId, AccessMethod.AppUnlock) { PersonId = personId, Location = location };

    public static UnlockAttempt Override(Guid doorId, Guid adminId) =>
        new(doorId, AccessMethod.AdminOverride) { AdminId = adminId };
}

/// <summary>The decision and what the door did about it.</summary>
public sealed record UnlockResult(Guid EventId, bool Allowed, string Reason, string Path, ActuationOutcome Outcome);
