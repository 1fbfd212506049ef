using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Doors;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Alarms;

/// <summary>
/// The alarm kinds, part of the public API as snake_case (<c>door_forced_open</c>). The first three
/// come from the door's sensor and <see cref="InvalidCredentialBurst"/> from the door's reader; door
/// alarms name their door, the others name their subject (<see cref="Alarm.SubjectId"/>).
/// </summary>
public enum AlarmKind
{
    DoorForcedOpen,
    DoorHeldOpenWarning,
    DoorHeldOpen,
    /// <summary>A burst of invalid credentials at the door's reader; cleared once the reader has been quiet a while.</summary>
    InvalidCredentialBurst,
    /// <summary>The server disabled a webhook endpoint (410 Gone, or failing for days); subject: the endpoint. Cleared when it is enabled or deleted.</summary>
    WebhookEndpointDisabled,
    /// <summary>An event-access revoke could not be confirmed by its provider; subject: the task. Cleared when the revoke executes or is cancelled.</summary>
    RevocationFailed,
}

/// <summary>
/// One alarm from raised to cleared (a door alarm: the door closed, or the burst of invalid
/// credentials at its reader is over; another: its cause was dealt with), acknowledged by an operator
/// at any time. It is standing while not cleared. Alarms outlive their door or subject, like the access
/// log. An alarm of no site (an all-sites webhook endpoint) is seen only by those who see every site.
/// </summary>
public sealed class Alarm
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid? SiteId { get; init; }
    /// <summary>The door of a door alarm; null for the others.</summary>
    public Guid? DoorId { get; init; }
    /// <summary>What a non-door alarm is about: the webhook endpoint or the access task its kind names.</summary>
    public Guid? SubjectId { get; init; }
    /// <summary>A readable account of a non-door alarm: what failed and what to do.</summary>
    public string? Detail { get; init; }
    public AlarmKind Kind { get; init; }
    public Instant RaisedAt { get; init; }
    public Instant? ClearedAt { get; set; }
    public Instant? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }

    public static AlarmKind KindOf(DoorAlarm alarm) => alarm switch
    {
        DoorAlarm.ForcedOpen => AlarmKind.DoorForcedOpen,
        DoorAlarm.HeldOpenWarning => AlarmKind.DoorHeldOpenWarning,
        DoorAlarm.HeldOpen => AlarmKind.DoorHeldOpen,
        _ => throw new ArgumentOutOfRangeException(nameof(alarm)),
    };

    /// <summary>Raised and cleared by the door supervisor from the door's sensor (the others by their own source).</summary>
    public static bool IsSensorKind(AlarmKind kind) => kind is AlarmKind.DoorForcedOpen or AlarmKind.DoorHeldOpenWarning or AlarmKind.DoorHeldOpen;

    public static DoorAlarm CoreOf(AlarmKind kind) => kind switch
    {
        AlarmKind.DoorForcedOpen => DoorAlarm.ForcedOpen,
        AlarmKind.DoorHeldOpenWarning => DoorAlarm.HeldOpenWarning,
        AlarmKind.DoorHeldOpen => DoorAlarm.HeldOpen,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>
/// What the door supervisor keeps of a door across restarts: open or closed, since when, and
/// whether it is latched. Standing alarms are the uncleared <see cref="Alarm"/> rows.
/// </summary>
public sealed class DoorWatchState
{
    public Guid DoorId { get; init; }
    public bool IsOpen { get; set; }
    public Instant? OpenedAt { get; set; }
    public bool Latched { get; set; }
    public Instant ChangedAt { get; set; }
}

internal sealed class AlarmConfiguration : IEntityTypeConfiguration<Alarm>
{
    public void Configure(EntityTypeBuilder<Alarm> b)
    {
        b.ToTable("door_alarms");
        b.Property(a => a.AcknowledgedBy).HasMaxLength(200);
        b.HasIndex(a => new { a.SiteId, a.RaisedAt });
        b.HasIndex(a => new { a.DoorId, a.ClearedAt });
        b.HasIndex(a => new { a.SubjectId, a.ClearedAt });
        b.Property(a => a.Detail).HasMaxLength(500);
    }
}

internal sealed class DoorWatchStateConfiguration : IEntityTypeConfiguration<DoorWatchState>
{
    public void Configure(EntityTypeBuilder<DoorWatchState> b)
    {
        b.ToTable("door_watches");
        b.HasKey(w => w.DoorId);
        b.HasOne<Door>().WithOne().HasForeignKey<DoorWatchState>(w => w.DoorId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(w => w.IsOpen);
    }
}
