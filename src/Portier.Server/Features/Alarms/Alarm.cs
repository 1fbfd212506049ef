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
/// come from the door's sensor; <see cref="InvalidCredentialBurst"/> from the door's reader.
/// </summary>
public enum AlarmKind { DoorForcedOpen, DoorHeldOpenWarning, DoorHeldOpen, InvalidCredentialBurst }

/// <summary>
/// One door alarm from raised to cleared (the door closed, or the burst of invalid credentials at its
/// reader is over), acknowledged by an operator at any time. It is standing while not cleared. Alarms
/// outlive their door, like the access log.
/// </summary>
public sealed class Alarm : ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid DoorId { get; init; }
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
    public static bool IsSensorKind(AlarmKind kind) => kind is not AlarmKind.InvalidCredentialBurst;

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
