using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Doors;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure.Persistence;

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
    public RelayState State { get; private set; }
    /// <summary>When the door was first commanded into <see cref="State"/>.</summary>
    public Instant Since { get; private set; }
    /// <summary>The controller last commanded; a different one paired to the door is told the state again.</summary>
    public Guid? DeviceId { get; private set; }
    /// <summary>The last command sent for this state; null when the door had no paired controller.</summary>
    public Guid? CommandId { get; private set; }
    public CommandStatus CommandStatus { get; private set; }
    public Instant CommandedAt { get; private set; }

    /// <summary>The first command a door is given (the door had no row: it was never latched nor locked down).</summary>
    public static DoorLatch First(Guid doorId, RelayState state, Guid? deviceId, Guid? commandId, CommandStatus status, Instant at)
    {
        var latch = new DoorLatch { DoorId = doorId, State = state, Since = at };
        latch.Commanded(state, deviceId, commandId, status, at);
        return latch;
    }

    /// <summary>
    /// Records a command for <paramref name="state"/> (or that none could be sent: no controller).
    /// <see cref="Since"/> moves only when the state changes; a re-assert or retry keeps it.
    /// </summary>
    public void Commanded(RelayState state, Guid? deviceId, Guid? commandId, CommandStatus status, Instant at)
    {
        if (!Enum.IsDefined(state)) throw new ArgumentOutOfRangeException(nameof(state), state, "Not a relay state.");
        if (state != State)
        {
            State = state;
            Since = at;
        }
        DeviceId = deviceId;
        CommandId = commandId;
        CommandStatus = status;
        CommandedAt = at;
    }

    /// <summary>
    /// What became of a command, known after it was recorded as pending: written only while that
    /// command is still the door's last one (a conditional UPDATE), so a late outcome never overwrites a newer command's.
    /// </summary>
    public static Task<int> RecordOutcomeAsync(PortierDbContext db, Guid doorId, Guid commandId, CommandStatus status, CancellationToken ct) =>
        db.Set<DoorLatch>().Where(l => l.DoorId == doorId && l.CommandId == commandId)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.CommandStatus, status), ct);
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
