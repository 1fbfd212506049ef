using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Doors;
using Portier.Server.Features.Devices;

namespace Portier.Server.Features.Doors;

/// <summary>
/// The relay state last commanded for a door (latched open, locked down or released) and what
/// became of that command. A door that was never latched nor locked down has no row. Written by
/// <see cref="DoorLatchScheduler"/> only, before the command goes out, so a restart knows what the
/// controller was last told.
/// </summary>
public sealed class DoorLatch
{
    public Guid DoorId { get; init; }
    public RelayState State { get; set; }
    /// <summary>When the door was first commanded into <see cref="State"/>.</summary>
    public Instant Since { get; set; }
    /// <summary>The controller last commanded; a different one paired to the door is told the state again.</summary>
    public Guid? DeviceId { get; set; }
    /// <summary>The last command sent for this state; null when the door had no paired controller.</summary>
    public Guid? CommandId { get; set; }
    public CommandStatus CommandStatus { get; set; }
    public Instant CommandedAt { get; set; }
}

internal sealed class DoorLatchConfiguration : IEntityTypeConfiguration<DoorLatch>
{
    public void Configure(EntityTypeBuilder<DoorLatch> b)
    {
        b.ToTable("door_latches");
        b.HasKey(l => l.DoorId);
        b.HasOne<Door>().WithOne().HasForeignKey<DoorLatch>(l => l.DoorId).OnDelete(DeleteBehavior.Cascade);
    }
}
