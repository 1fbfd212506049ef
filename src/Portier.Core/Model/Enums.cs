namespace Portier.Core.Model;

/// <summary>Where a person's record came from.</summary>
public enum PersonSource { Manual, Integration, Cv }

/// <summary>The kind of opening a controller actuates.</summary>
public enum DoorKind { Door, Gate, Turnstile, Equipment }

/// <summary>Which way people pass: into the door's zone, out of it, or both.</summary>
public enum DoorDirection { In, Out, Both }

public static class DoorDirectionRules
{
    /// <summary>
    /// A passage through an in or both door is an entry into its zone (capacity applies, a place is
    /// taken); through an out door it is an exit (a place is freed). A both door cannot tell which
    /// way a person went, so it counts as the stricter case.
    /// </summary>
    public static bool EntersZone(this DoorDirection direction) => direction != DoorDirection.Out;
}

/// <summary>Relay override: force_open holds the door open, force_closed ignores unlocks.</summary>
public enum MaintenanceMode { Normal, ForceOpen, ForceClosed }

/// <summary>What a person presents at a reader.</summary>
public enum CredentialKind { Card, Barcode, Pin, Qr, Otp, Mobile }

/// <summary>
/// What a door does when its controller cannot decide: <see cref="Secure"/> stays locked (without
/// power, and past the revocation horizon), <see cref="Safe"/> is released (a fail-safe lock opens
/// without power; past the horizon the controller releases it rather than refuse everyone).
/// Free egress is never blocked either way.
/// </summary>
public enum DoorFailMode { Secure, Safe }

/// <summary>
/// How a controller deciding offline treats facts only the server knows (zone occupancy, uses spent
/// at other doors): <see cref="CountLocally"/> counts what it saw itself since it lost the server
/// (entries and exits through its doors, uses of each credential against the remaining uses its
/// bundle gave) and the server reconciles on reconnect; <see cref="Refuse"/> refuses an attempt
/// that depends on such a fact (an entry into a zone with a capacity, a credential with a use limit)
/// with <c>offline_unverifiable</c>.
/// </summary>
public enum OfflineLiveFacts { CountLocally, Refuse }
