using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Devices;

namespace Portier.Server.Features.Devices;

/// <summary>
/// pending → confirmed (acknowledged ok in time) | failed (acknowledged not ok in time) |
/// timed_out (no answer by the deadline) → late_ack (answered after the deadline; never re-sent).
/// not_sent: the device was not paired, the broker refused the publish, or its deadline passed before it could go out.
/// </summary>
public enum CommandStatus { Pending, Confirmed, Failed, TimedOut, LateAck, NotSent }

/// <summary>One command sent to a device, kept so its outcome survives a restart.</summary>
public sealed class DeviceCommand
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid DeviceId { get; init; }
    public CommandType Type { get; init; }
    public int? HoldSeconds { get; init; }
    public string? Reason { get; init; }
    public Guid? ScanId { get; init; }
    /// <summary>The door the command is for, named when the controller serves more than one.</summary>
    public Guid? DoorId { get; init; }
    public CommandStatus Status { get; set; } = CommandStatus.Pending;
    public Instant SentAt { get; init; }
    public Instant Deadline { get; init; }
    public Instant? AckAt { get; set; }

    /// <summary>The command as the device receives it; the same every time it is sent.</summary>
    public CommandMessage ToMessage() => new(Id, Type, Deadline.ToDateTimeOffset(), HoldSeconds, Reason, ScanId, DoorId);
}

internal sealed class DeviceCommandConfiguration : IEntityTypeConfiguration<DeviceCommand>
{
    public void Configure(EntityTypeBuilder<DeviceCommand> b)
    {
        b.ToTable("device_commands");
        b.HasOne<Device>().WithMany().HasForeignKey(c => c.DeviceId).OnDelete(DeleteBehavior.Cascade);
        b.Property(c => c.Reason).HasMaxLength(64);
        b.HasIndex(c => new { c.DeviceId, c.SentAt });
        b.HasIndex(c => new { c.Status, c.Deadline });
    }
}
