using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Doors;
using Portier.Core.Model;
using Portier.Server.Features.Geofences;
using Portier.Server.Features.Rules;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Doors;

/// <summary>
/// A door as the operator sets it; omitted settings take the defaults (door, in, hold 10 s, normal, inherits).
/// <see cref="RequiredQualificationIds"/> omitted keeps the door's requirements (none for a new door).
/// </summary>
public sealed record DoorRequest(
    Guid SiteId,
    string Name,
    DoorKind Kind = DoorKind.Door,
    string? LocationLabel = null,
    DoorDirection Direction = DoorDirection.In,
    Guid? ZoneId = null,
    int HoldTimeSeconds = Door.DefaultHoldSeconds,
    int OpenTimeSeconds = Door.DefaultOpenSeconds,
    bool BlockAllAccess = false,
    MaintenanceMode MaintenanceMode = MaintenanceMode.Normal,
    AccessRulesData? RuleOverride = null,
    GeofenceData? GeofenceOverride = null,
    IReadOnlyList<TimeBlockData>? AutoUnlock = null,
    bool IsPointOfEntry = false,
    DoorFailMode FailMode = DoorFailMode.Secure,
    OfflineLiveFacts OfflineLiveFacts = OfflineLiveFacts.CountLocally,
    bool HolidaysApply = true,
    TwoPersonData? TwoPerson = null,
    FirstArrivalData? FirstToArrive = null,
    IReadOnlyList<Guid>? RequiredQualificationIds = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Name, "name");
        errors.Distinct(RequiredQualificationIds, "requiredQualificationIds");
        if (LocationLabel is not null) errors.Require(LocationLabel.Length <= 200, "locationLabel", "Must be at most 200 characters.");
        errors.Range(HoldTimeSeconds, Door.MinHoldSeconds, Door.MaxHoldSeconds, "holdTimeSeconds");
        errors.Range(OpenTimeSeconds, Door.MinOpenSeconds, Door.MaxOpenSeconds, "openTimeSeconds");
        AccessRulesData.Validate(RuleOverride, "ruleOverride", errors);
        GeofenceData.Validate(GeofenceOverride, "geofenceOverride", errors);
        TimeBlockData.ValidateAll(AutoUnlock, "autoUnlock", errors);
        errors.Distinct(AutoUnlock, "autoUnlock", 100);
        FirstArrivalData.Validate(FirstToArrive, "firstToArrive", errors);
    }

    public void ApplyTo(Door door)
    {
        door.Name = Name.Trim();
        door.Kind = Kind;
        door.LocationLabel = string.IsNullOrWhiteSpace(LocationLabel) ? null : LocationLabel.Trim();
        door.Direction = Direction;
        door.ZoneId = ZoneId;
        door.HoldTimeSeconds = HoldTimeSeconds;
        door.OpenTimeSeconds = OpenTimeSeconds;
        door.SetBlockAllAccess(BlockAllAccess);
        door.SetMaintenance(MaintenanceMode);
        door.RuleOverride = RuleOverride?.Normalized();
        door.GeofenceOverride = GeofenceOverride;
        door.AutoUnlock = [.. AutoUnlock ?? []];
        door.IsPointOfEntry = IsPointOfEntry;
        door.FailMode = FailMode;
        door.OfflineLiveFacts = OfflineLiveFacts;
        door.HolidaysApply = HolidaysApply;
        door.TwoPersonWindowSeconds = TwoPerson?.WindowSeconds;
        door.FirstToArrive = FirstToArrive?.Normalized();
        if (RequiredQualificationIds is not null) door.RequiredQualificationIds = [.. RequiredQualificationIds];
    }

    /// <summary>A two-person window outside its bounds, as its own problem code; null when the request is fine.</summary>
    public Microsoft.AspNetCore.Http.HttpResults.ValidationProblem? TwoPersonProblem() =>
        TwoPerson is { } rule && !TwoPersonRule.IsValidWindow(rule.WindowSeconds)
            ? Problems.Invalid("two_person_window_out_of_range", "twoPerson.windowSeconds",
                $"Must be between {TwoPersonRule.MinWindowSeconds} and {TwoPersonRule.MaxWindowSeconds} seconds.")
            : null;
}

/// <summary>
/// The door's two-person rule: a card, PIN, code or app unlock opens it only when a second, different authorised
/// person presents a credential within <see cref="WindowSeconds"/> (3–120, default 10) of the first.
/// </summary>
public sealed record TwoPersonData(int WindowSeconds = TwoPersonRule.DefaultWindowSeconds)
{
    public static TwoPersonData? Of(Door door) => door.TwoPersonWindowSeconds is { } seconds ? new TwoPersonData(seconds) : null;
}

/// <summary>The quick action: set a door's relay override without sending the whole door.</summary>
public sealed record MaintenanceRequest(MaintenanceMode? Mode) : IValidatable
{
    public void Validate(ValidationErrors errors) =>
        errors.Require(Mode is not null, "mode", "Is required: normal, force_open or force_closed.");
}

/// <summary>
/// A timed override: hold the door unlocked, force open or force closed until <see cref="Until"/> or for
/// <see cref="Minutes"/> (exactly one), at most <see cref="MaxMinutes"/> ahead; it reverts by itself.
/// </summary>
public sealed record DoorOverrideRequest(DoorOverrideMode? Mode, DateTimeOffset? Until = null, int? Minutes = null) : IValidatable
{
    /// <summary>31 days: longer than that is a standing setting (maintenance mode, auto-unlock hours), not an override.</summary>
    public const int MaxMinutes = 31 * 24 * 60;

    public void Validate(ValidationErrors errors)
    {
        errors.Require(Mode is not null, "mode", "Is required: unlock, force_open or force_closed.");
        errors.Require(Until is null != Minutes is null, Until is null ? "minutes" : "until", "Give exactly one of until and minutes.");
        if (Minutes is { } minutes) errors.Range(minutes, 1, MaxMinutes, "minutes");
    }

    /// <summary>The end as an instant: <see cref="Until"/>, or <see cref="Minutes"/> after <paramref name="now"/>.</summary>
    public Instant EndsAt(Instant now) => Until is { } until ? Instant.FromDateTimeOffset(until) : now + Duration.FromMinutes(Minutes!.Value);
}

/// <summary>A running timed override: what it holds the door at, until when, and who started it when.</summary>
public sealed record DoorOverrideResponse(DoorOverrideMode Mode, DateTimeOffset Until, Guid? SetBy, DateTimeOffset? SetAt)
{
    /// <summary>The door's override when it is still running at <paramref name="now"/>, else null.</summary>
    public static DoorOverrideResponse? Of(Door d, Instant now) => d.Override is { } o && o.IsActiveAt(now)
        ? new DoorOverrideResponse(o.Mode, o.Until.ToDateTimeOffset(), d.OverrideSetBy, d.OverrideSetAt?.ToDateTimeOffset())
        : null;
}

public sealed record DoorResponse(
    Guid Id,
    Guid SiteId,
    string Name,
    DoorKind Kind,
    string? LocationLabel,
    DoorDirection Direction,
    Guid? ZoneId,
    int HoldTimeSeconds,
    int OpenTimeSeconds,
    bool BlockAllAccess,
    MaintenanceMode MaintenanceMode,
    AccessRulesData? RuleOverride,
    bool RulesInherit,
    GeofenceData? GeofenceOverride,
    bool GeofenceInherits,
    IReadOnlyList<TimeBlockData> AutoUnlock,
    bool IsPointOfEntry,
    DoorFailMode FailMode,
    OfflineLiveFacts OfflineLiveFacts,
    bool HolidaysApply,
    FirstArrivalData? FirstToArrive)
{
    /// <summary>The readers serving the door (on any controller of its site); given by <c>GET /doors/{id}</c> only, null in lists.</summary>
    public IReadOnlyList<Devices.ReaderResponse>? Readers { get; init; }

    /// <summary>The running timed override, if any (an ended one is not shown).</summary>
    public DoorOverrideResponse? Override { get; init; }

    /// <summary>The door's two-person rule; null = off.</summary>
    public TwoPersonData? TwoPerson { get; init; }
    /// <summary>For a first-to-arrive door, whether today's auto-unlock has started and by whom; given by <c>GET /doors/{id}</c> only.</summary>
    public FirstArrivalToday? FirstArrivalToday { get; init; }
    /// <summary>The qualifications the door itself requires (its scopes may require more).</summary>
    public IReadOnlyList<Guid> RequiredQualificationIds { get; init; } = [];

    public static DoorResponse From(Door d, Instant now) => new(d.Id, d.SiteId, d.Name, d.Kind, d.LocationLabel, d.Direction, d.ZoneId,
        d.HoldTimeSeconds, d.OpenTimeSeconds, d.BlockAllAccess, d.MaintenanceMode, d.RuleOverride, d.RuleOverride is null,
        d.GeofenceOverride, d.GeofenceOverride is null, d.AutoUnlock, d.IsPointOfEntry, d.FailMode, d.OfflineLiveFacts, d.HolidaysApply, d.FirstToArrive)
    {
        Override = DoorOverrideResponse.Of(d, now),
        TwoPerson = TwoPersonData.Of(d),
        RequiredQualificationIds = d.RequiredQualificationIds,
    };
}
