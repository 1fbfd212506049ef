using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Lockdowns;

/// <summary>What a plan covers: the whole site, the doors of some scopes, or listed doors.</summary>
public enum LockdownTarget { Site, Scopes, Doors }

/// <summary>
/// A lockdown or evacuation plan of one site, and whether it is active now. Starting and ending
/// change this row, so they are recorded in the audit trail with who did it and rebuild the policy
/// snapshot and the controllers' bundles like any other policy change. An active plan with
/// <see cref="EndsAt"/> set ends by itself then (<see cref="LockdownReverter"/>), also after a restart.
/// </summary>
public sealed class LockdownPlan : IAudited, ISiteOwned, IPolicyDefinition
{
    public const int MaxRank = 1000;
    public const int MaxRevertMinutes = 7 * 24 * 60;

    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string Name { get; set; }
    public LockdownKind Kind { get; set; }
    public LockdownTarget Target { get; set; }
    public List<Guid> ScopeIds { get; set; } = [];
    public List<Guid> DoorIds { get; set; } = [];
    public List<string> ResponderPersonTypes { get; set; } = [];
    public List<string> ResponderTags { get; set; } = [];
    public List<Guid> ResponderPersonIds { get; set; } = [];
    /// <summary>When several active plans cover a door, the highest rank governs it.</summary>
    public int Rank { get; set; }
    /// <summary>Minutes after its start an active plan ends by itself; null = only when ended.</summary>
    public int? AutoRevertMinutes { get; set; }
    /// <summary>Controllers whose lockdown input (the lockdown button) starts this plan.</summary>
    public List<Guid> TriggerDeviceIds { get; set; } = [];

    public Instant? StartedAt { get; private set; }
    public string? StartedBy { get; private set; }
    public Instant? EndsAt { get; private set; }
    public Instant? EndedAt { get; private set; }
    public string? EndedBy { get; private set; }

    public bool IsActive => StartedAt.HasValue;

    /// <summary>Starts the plan; false when it is already active (nothing changes, its revert time included).</summary>
    public bool Start(string actor, Instant now)
    {
        if (IsActive) return false;
        StartedAt = now;
        StartedBy = actor;
        EndsAt = AutoRevertMinutes is { } minutes ? now + Duration.FromMinutes(minutes) : null;
        EndedAt = null;
        EndedBy = null;
        return true;
    }

    /// <summary>Ends the plan; false when it is not active.</summary>
    public bool End(string actor, Instant now)
    {
        if (!IsActive) return false;
        StartedAt = null;
        StartedBy = null;
        EndsAt = null;
        EndedAt = now;
        EndedBy = actor;
        return true;
    }

    /// <summary>The plan as the engine sees it; only active plans are part of the policy.</summary>
    public LockdownDefinition ToDefinition(IReadOnlySet<Guid> doorIds, IReadOnlySet<Guid> scopeIds) => new(Id, SiteId, Kind, Rank)
    {
        SiteWide = Target == LockdownTarget.Site,
        ScopeIds = Target == LockdownTarget.Scopes ? [.. ScopeIds.Where(scopeIds.Contains)] : [],
        DoorIds = Target == LockdownTarget.Doors ? [.. DoorIds.Where(doorIds.Contains)] : [],
        ResponderPersonTypes = ResponderPersonTypes,
        ResponderTags = ResponderTags,
        ResponderPersonIds = ResponderPersonIds,
    };
}

/// <summary>A person a marshal has accounted for during an evacuation; cleared when the plan starts again.</summary>
public sealed class MusterMark : ISiteOwned
{
    public Guid PlanId { get; init; }
    public Guid SiteId { get; init; }
    public Guid PersonId { get; init; }
    public Instant AccountedAt { get; init; }
    public required string AccountedBy { get; init; }
}

internal sealed class LockdownPlanConfiguration : IEntityTypeConfiguration<LockdownPlan>
{
    public void Configure(EntityTypeBuilder<LockdownPlan> b)
    {
        b.ToTable("lockdown_plans");
        b.HasOne<Site>().WithMany().HasForeignKey(p => p.SiteId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(p => new { p.SiteId, p.Name }).IsUnique();
        b.Property(p => p.Name).HasMaxLength(200);
        b.Property(p => p.StartedBy).HasMaxLength(320);
        b.Property(p => p.EndedBy).HasMaxLength(320);
        b.Ignore(p => p.IsActive);
    }
}

internal sealed class MusterMarkConfiguration : IEntityTypeConfiguration<MusterMark>
{
    public void Configure(EntityTypeBuilder<MusterMark> b)
    {
        b.ToTable("muster_marks");
        b.HasKey(m => new { m.PlanId, m.PersonId });
        b.HasOne<LockdownPlan>().WithMany().HasForeignKey(m => m.PlanId).OnDelete(DeleteBehavior.Cascade);
        b.Property(m => m.AccountedBy).HasMaxLength(320);
    }
}
