using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Doors;
using Portier.Core.Model;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Geofences;
using Portier.Server.Features.Rules;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Features.Decisions;

namespace Portier.Server.Features.Doors;

/// <summary>An opening a controller actuates: door, gate, turnstile or equipment interlock.</summary>
public sealed class Door : IAudited, ISiteOwned, IPolicyDefinition, IDoorDirectoryDefinition
{
    public const int MinHoldSeconds = 1;
    public const int MaxHoldSeconds = 30;
    public const int DefaultHoldSeconds = 10;
    public const int MinOpenSeconds = 5;
    public const int MaxOpenSeconds = 600;
    public const int DefaultOpenSeconds = 30;

    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string Name { get; set; }
    public DoorKind Kind { get; set; } = DoorKind.Door;
    public string? LocationLabel { get; set; }
    public DoorDirection Direction { get; set; } = DoorDirection.In;
    public Guid? ZoneId { get; set; }
    public int HoldTimeSeconds { get; set; } = DefaultHoldSeconds;
    /// <summary>How long the door may stand open before <c>door_held_open</c> (the warning comes at three quarters of it).</summary>
    public int OpenTimeSeconds { get; set; } = DefaultOpenSeconds;
    public bool BlockAllAccess { get; private set; }
    public MaintenanceMode MaintenanceMode { get; private set; } = MaintenanceMode.Normal;
    /// <summary>Null inherits the scope's or site's rules; a value replaces them wholesale for this door.</summary>
    public AccessRulesData? RuleOverride { get; set; }
    public GeofenceData? GeofenceOverride { get; set; }
    /// <summary>Windows in which the door is latched open; empty means no auto-unlock.</summary>
    public List<TimeBlockData> AutoUnlock { get; set; } = [];
    public bool IsPointOfEntry { get; set; }
    /// <summary>An inactive point of entry opens for no invite credential until it is switched back on.</summary>
    public bool PointOfEntryActive { get; private set; } = true;
    /// <summary>What the door does without power, or past its controller's revocation horizon (see <see cref="DoorFailMode"/>).</summary>
    public DoorFailMode FailMode { get; set; } = DoorFailMode.Secure;
    /// <summary>How the controller, deciding offline, treats zone counts and use limits only the server knows.</summary>
    public OfflineLiveFacts OfflineLiveFacts { get; set; } = OfflineLiveFacts.CountLocally;
    /// <summary>Whether holiday calendars apply to this door (default). Off, its rules, grants and auto-unlock follow the weekly hours alone.</summary>
    public bool HolidaysApply { get; set; } = true;
    /// <summary>The two-person rule's window in seconds (3–120); null = the door opens for one person.</summary>
    public int? TwoPersonWindowSeconds { get; set; }
    /// <summary>First-to-arrive: the auto-unlock windows latch only after a grant of this group today; null = they latch on their own.</summary>
    public FirstArrivalData? FirstToArrive { get; set; }
    /// <summary>Qualifications a person must hold to open the door, besides those its scopes require.</summary>
    public List<Guid> RequiredQualificationIds { get; set; } = [];

    /// <summary>A timed override's mode; with <see cref="OverrideUntil"/> it is the door's <see cref="Override"/>.</summary>
    public DoorOverrideMode? OverrideMode { get; private set; }
    /// <summary>When the timed override ends by itself (exclusive). Decisions stop honouring it then, whether or not the server ran.</summary>
    public Instant? OverrideUntil { get; private set; }
    /// <summary>The administrator who started the override (null for one started by the system).</summary>
    public Guid? OverrideSetBy { get; private set; }
    public Instant? OverrideSetAt { get; private set; }

    /// <summary>The timed override as stored, possibly already ended: ask <see cref="DoorOverride.IsActiveAt"/>.</summary>
    public DoorOverride? Override => DoorOverride.Of(OverrideMode, OverrideUntil);

    /// <summary>Holds the door at <paramref name="mode"/> until <paramref name="until"/>, replacing a running override.</summary>
    public void StartOverride(DoorOverrideMode mode, Instant until, Guid? setBy, Instant setAt)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not an override mode.");
        if (until <= setAt) throw new ArgumentOutOfRangeException(nameof(until), until, "An override ends after it starts.");
        (OverrideMode, OverrideUntil, OverrideSetBy, OverrideSetAt) = (mode, until, setBy, setAt);
    }

    /// <summary>Forgets the override (ended early, or its end has passed).</summary>
    public void ClearOverride() => (OverrideMode, OverrideUntil, OverrideSetBy, OverrideSetAt) = (null, null, null, null);

    /// <summary>The relay override (<see cref="DoorRelay.Desired"/>): force_open latches, force_closed locks down, normal follows the schedule.</summary>
    public void SetMaintenance(MaintenanceMode mode)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a maintenance mode.");
        MaintenanceMode = mode;
    }

    /// <summary>Blocked, the door opens for nobody (<c>door_blocked</c>) whatever rules or grants say.</summary>
    public void SetBlockAllAccess(bool blocked) => BlockAllAccess = blocked;

    /// <summary>An inactive point of entry opens for no invite credential.</summary>
    public void SetPointOfEntryActive(bool active) => PointOfEntryActive = active;
}

internal sealed class DoorConfiguration : IEntityTypeConfiguration<Door>
{
    public void Configure(EntityTypeBuilder<Door> b)
    {
        b.ToTable("doors");
        b.HasOne<Site>().WithMany().HasForeignKey(d => d.SiteId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Zone>().WithMany().HasForeignKey(d => d.ZoneId).OnDelete(DeleteBehavior.SetNull);
        b.Property(d => d.Name).HasMaxLength(200);
        b.Property(d => d.LocationLabel).HasMaxLength(200);
        b.Property(d => d.RuleOverride).HasJsonConversion();
        b.Property(d => d.GeofenceOverride).HasJsonConversion();
        b.Property(d => d.AutoUnlock).HasJsonConversion();
        b.Property(d => d.FirstToArrive).HasJsonConversion();
        b.Property(d => d.HolidaysApply).HasDefaultValue(true).HasSentinel(true);
        b.HasIndex(d => new { d.SiteId, d.Name });
        b.Ignore(d => d.Override);
    }
}
