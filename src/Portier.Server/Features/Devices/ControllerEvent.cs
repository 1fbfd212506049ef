using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Devices;
using Portier.Server.Features.AccessLog;
using Portier.Core.Model;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// One event a controller recorded on its own and uploaded (device protocol v2, <c>events</c>), kept
/// once per controller and sequence: the ledger that makes a repeated upload change nothing, and the
/// door state history of the time the controller was alone. An access event also has its row in the
/// access log (<see cref="AccessEventId"/>); a door event lives here only.
/// </summary>
public sealed class ControllerEvent
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid DeviceId { get; init; }
    /// <summary>The controller's own number for the event, from 1; unique per controller.</summary>
    public long Sequence { get; init; }
    public OfflineEventType Type { get; init; }
    /// <summary>When it happened, by the controller's clock.</summary>
    public Instant At { get; init; }
    public Instant ReceivedAt { get; init; }
    /// <summary>The door the event names; null when that door is not this controller's (the event is kept but not recorded further).</summary>
    public Guid? DoorId { get; init; }
    public string? ReaderId { get; init; }
    /// <summary>The access log row of an access event.</summary>
    public Guid? AccessEventId { get; init; }
    public DoorPosition? Door { get; init; }
    public bool? RequestToExit { get; init; }
    public long? BundleVersion { get; init; }
}

/// <summary>Stores an access event's ledger row in the same transaction as its access log row.</summary>
public sealed record RecordControllerEvent(ControllerEvent Event) : IEventCompanion
{
    public async ValueTask StageAllAsync(PortierDbContext db, IReadOnlyList<IEventCompanion> ofThisType, CancellationToken ct) =>
        await db.AppendRowsAsync([.. ofThisType.Cast<RecordControllerEvent>().Select(r => r.Event)], ct);
}

internal sealed class ControllerEventConfiguration : IEntityTypeConfiguration<ControllerEvent>
{
    public void Configure(EntityTypeBuilder<ControllerEvent> b)
    {
        b.ToTable("controller_events");
        b.HasOne<Device>().WithMany().HasForeignKey(e => e.DeviceId).OnDelete(DeleteBehavior.Cascade);
        // Each event is stored once: a repeated upload (or two nodes racing on one) cannot add a second row.
        b.HasIndex(e => new { e.DeviceId, e.Sequence }).IsUnique();
        b.HasIndex(e => new { e.DoorId, e.At });
        b.Property(e => e.Type).HasMaxLength(16).HasConversion<string>();
        b.Property(e => e.Door).HasMaxLength(16).HasConversion<string>();
        b.Property(e => e.ReaderId).HasMaxLength(100);
    }
}
