using Portier.Core.Policy;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Lockdowns;

/// <summary>
/// Create or replace a plan. The target says what it covers: the whole site, <see cref="ScopeIds"/>
/// or <see cref="DoorIds"/> (at least one for those targets). Responders: person types, tags and/or
/// listed people. Editing an active plan changes it at once (its revert time stays as started).
/// </summary>
public sealed record LockdownPlanRequest(
    Guid SiteId,
    string Name,
    LockdownKind Kind = LockdownKind.Lockdown,
    LockdownTarget Target = LockdownTarget.Site,
    IReadOnlyList<Guid>? ScopeIds = null,
    IReadOnlyList<Guid>? DoorIds = null,
    IReadOnlyList<string>? ResponderPersonTypes = null,
    IReadOnlyList<string>? ResponderTags = null,
    IReadOnlyList<Guid>? ResponderPersonIds = null,
    int Rank = 0,
    int? AutoRevertMinutes = null,
    IReadOnlyList<Guid>? TriggerDeviceIds = null) : IValidatable
{
    public const int MaxTargets = 500;

    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Name, "name");
        errors.Require(Enum.IsDefined(Kind), "kind", "Must be lockdown or evacuation.");
        errors.Require(Enum.IsDefined(Target), "target", "Must be site, scopes or doors.");
        errors.Require(Target != LockdownTarget.Scopes || ScopeIds is { Count: > 0 }, "scopeIds", "A plan for scopes names at least one scope.");
        errors.Require(Target != LockdownTarget.Doors || DoorIds is { Count: > 0 }, "doorIds", "A plan for doors names at least one door.");
        errors.Distinct(ScopeIds, "scopeIds", MaxTargets);
        errors.Distinct(DoorIds, "doorIds", MaxTargets);
        errors.Distinct(ResponderPersonTypes, "responderPersonTypes", 100);
        errors.Distinct(ResponderTags, "responderTags", 100);
        errors.Distinct(ResponderPersonIds, "responderPersonIds", MaxTargets);
        errors.Distinct(TriggerDeviceIds, "triggerDeviceIds", 100);
        errors.Range(Rank, 0, LockdownPlan.MaxRank, "rank");
        errors.Require(AutoRevertMinutes is null or (>= 1 and <= LockdownPlan.MaxRevertMinutes), "autoRevertMinutes",
            $"Must be between 1 and {LockdownPlan.MaxRevertMinutes} minutes, or null for no automatic revert.");
    }

    public void ApplyTo(LockdownPlan plan)
    {
        plan.Name = Name.Trim();
        plan.Kind = Kind;
        plan.Target = Target;
        plan.ScopeIds = Target == LockdownTarget.Scopes ? [.. ScopeIds ?? []] : [];
        plan.DoorIds = Target == LockdownTarget.Doors ? [.. DoorIds ?? []] : [];
        plan.ResponderPersonTypes = [.. (ResponderPersonTypes ?? []).Select(t => t.Trim())];
        plan.ResponderTags = [.. (ResponderTags ?? []).Select(t => t.Trim())];
        plan.ResponderPersonIds = [.. ResponderPersonIds ?? []];
        plan.Rank = Rank;
        plan.AutoRevertMinutes = AutoRevertMinutes;
        plan.TriggerDeviceIds = [.. TriggerDeviceIds ?? []];
    }
}

/// <summary>A plan and its state: active from <see cref="StartedAt"/> (by <see cref="StartedBy"/>) until ended or <see cref="EndsAt"/>.</summary>
public sealed record LockdownPlanResponse(
    Guid Id,
    Guid SiteId,
    string Name,
    LockdownKind Kind,
    LockdownTarget Target,
    IReadOnlyList<Guid> ScopeIds,
    IReadOnlyList<Guid> DoorIds,
    IReadOnlyList<string> ResponderPersonTypes,
    IReadOnlyList<string> ResponderTags,
    IReadOnlyList<Guid> ResponderPersonIds,
    int Rank,
    int? AutoRevertMinutes,
    IReadOnlyList<Guid> TriggerDeviceIds,
    bool Active,
    DateTimeOffset? StartedAt,
    string? StartedBy,
    DateTimeOffset? EndsAt,
    DateTimeOffset? EndedAt,
    string? EndedBy)
{
    public static LockdownPlanResponse From(LockdownPlan p) => new(p.Id, p.SiteId, p.Name, p.Kind, p.Target, p.ScopeIds, p.DoorIds,
        p.ResponderPersonTypes, p.ResponderTags, p.ResponderPersonIds, p.Rank, p.AutoRevertMinutes, p.TriggerDeviceIds, p.IsActive,
        p.StartedAt?.ToDateTimeOffset(), p.StartedBy, p.EndsAt?.ToDateTimeOffset(), p.EndedAt?.ToDateTimeOffset(), p.EndedBy);
}

/// <summary>The live and webhook payload of a plan starting or ending.</summary>
public sealed record LockdownAnnouncement(Guid PlanId, string Name, LockdownKind Kind, bool Active, string By, DateTimeOffset? EndsAt, IReadOnlyList<Guid> DoorIds);

/// <summary>One person on an evacuation's muster list: last seen entering the plan's area, not seen leaving.</summary>
public sealed record MusterEntry(Guid PersonId, string Name, Guid DoorId, string DoorName, DateTimeOffset EnteredAt, bool Accounted, DateTimeOffset? AccountedAt, string? AccountedBy);

public sealed record MusterResponse(Guid PlanId, bool Active, DateTimeOffset? Since, int Total, int Accounted, IReadOnlyList<MusterEntry> People);
