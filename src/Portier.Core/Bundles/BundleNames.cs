using Portier.Core.Doors;
using Portier.Core.Decisions;
using Portier.Core.Model;
using Portier.Core.Policy;

namespace Portier.Core.Bundles;

/// <summary>The bundle's words for the model's closed sets: lower case with underscores, as in every other device message.</summary>
public static class BundleNames
{
    public static string Of(CredentialKind kind) => kind switch
    {
        CredentialKind.Card => "card",
        CredentialKind.Barcode => "barcode",
        CredentialKind.Pin => "pin",
        CredentialKind.Qr => "qr",
        CredentialKind.Otp => "otp",
        CredentialKind.Mobile => "mobile",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Of(DoorDirection direction) => direction switch
    {
        DoorDirection.In => "in",
        DoorDirection.Out => "out",
        DoorDirection.Both => "both",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, null),
    };

    public static string Of(MaintenanceMode mode) => mode switch
    {
        MaintenanceMode.Normal => "normal",
        MaintenanceMode.ForceOpen => "force_open",
        MaintenanceMode.ForceClosed => "force_closed",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static string Of(DoorOverrideMode mode) => mode switch
    {
        DoorOverrideMode.Unlock => "unlock",
        DoorOverrideMode.ForceOpen => "force_open",
        DoorOverrideMode.ForceClosed => "force_closed",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static string Of(DoorFailMode mode) => mode switch
    {
        DoorFailMode.Secure => "secure",
        DoorFailMode.Safe => "safe",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static string Of(OfflineLiveFacts rule) => rule switch
    {
        OfflineLiveFacts.CountLocally => "count_locally",
        OfflineLiveFacts.Refuse => "refuse",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };

    public static string Of(LockdownKind kind) => kind switch
    {
        LockdownKind.Lockdown => "lockdown",
        LockdownKind.Evacuation => "evacuation",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static LockdownKind? LockdownKindOf(string name) => Parse(name, [LockdownKind.Lockdown, LockdownKind.Evacuation], Of);
    public static string Of(PassbackMode mode) => PassbackCheck.ModeName(mode);

    /// <summary>A zone's anti-passback in the bundle: null when off, else the mode's name.</summary>
    public static string? PassbackOf(PassbackRule rule) => rule.Mode == PassbackMode.Off ? null : Of(rule.Mode);

    /// <summary>The rule a bundle's zone carries; off when it names none.</summary>
    public static PassbackRule PassbackOf(BundleZone zone) => zone.Passback is null
        ? PassbackRule.Off
        : new PassbackRule(Parse(zone.Passback, [PassbackMode.Hard, PassbackMode.Soft, PassbackMode.Timed], Of)
            ?? throw new FormatException($"Zone {zone.Id} has anti-passback '{zone.Passback}'."), zone.PassbackMinutes ?? 0);

    public static CredentialKind? CredentialKindOf(string name) => Parse(name, [CredentialKind.Card, CredentialKind.Barcode, CredentialKind.Pin, CredentialKind.Qr, CredentialKind.Otp, CredentialKind.Mobile], Of);

    public static DoorDirection? DirectionOf(string name) => Parse(name, [DoorDirection.In, DoorDirection.Out, DoorDirection.Both], Of);

    public static MaintenanceMode? MaintenanceOf(string name) => Parse(name, [MaintenanceMode.Normal, MaintenanceMode.ForceOpen, MaintenanceMode.ForceClosed], Of);

    public static DoorOverrideMode? OverrideModeOf(string name) => Parse(name, [DoorOverrideMode.Unlock, DoorOverrideMode.ForceOpen, DoorOverrideMode.ForceClosed], Of);

    public static DoorFailMode? FailModeOf(string name) => Parse(name, [DoorFailMode.Secure, DoorFailMode.Safe], Of);

    public static OfflineLiveFacts? OfflineLiveFactsOf(string name) => Parse(name, [OfflineLiveFacts.CountLocally, OfflineLiveFacts.Refuse], Of);

    private static T? Parse<T>(string name, T[] values, Func<T, string> nameOf) where T : struct
    {
        foreach (var value in values)
            if (nameOf(value) == name) return value;
        return null;
    }
}
