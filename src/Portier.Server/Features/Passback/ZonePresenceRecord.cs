using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Server.Features.People;
using Portier.Server.Features.Zones;

namespace Portier.Server.Features.Passback;

/// <summary>
/// One person's presence in one zone, for its anti-passback: moved by every granted passage through a
/// door of the zone (<see cref="PassbackReservation"/>), reset to unknown by a forgiveness. A live fact:
/// changed with conditional updates, never audited (the forgivenesses are).
/// </summary>
public sealed class ZonePresenceRecord
{
    public Guid PersonId { get; init; }
    public Guid ZoneId { get; init; }
    public Guid SiteId { get; init; }
    public PresenceState State { get; set; }
    /// <summary>The last granted passage through a door of the zone; null before the first.</summary>
    public Instant? LastPassAt { get; set; }
    /// <summary>Whether that passage went in (true) or out (false).</summary>
    public bool? LastPassEntered { get; set; }
    /// <summary>The last entry since the person was last forgiven (timed anti-passback counts from it).</summary>
    public Instant? LastEntryAt { get; set; }

    public ZonePresence ToFact() => new(State, LastEntryAt);
}

internal sealed class ZonePresenceRecordConfiguration : IEntityTypeConfiguration<ZonePresenceRecord>
{
    public void Configure(EntityTypeBuilder<ZonePresenceRecord> b)
    {
        b.ToTable("zone_presences");
        b.HasKey(p => new { p.PersonId, p.ZoneId });
        b.HasOne<Person>().WithMany().HasForeignKey(p => p.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Zone>().WithMany().HasForeignKey(p => p.ZoneId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(p => new { p.ZoneId, p.State });
    }
}
